// The demo's sample photo: NASA's public-domain portrait of astronaut Eileen Collins, as Debian
// ships it in python3-imageio (what .ci/run installs) or python3-skimage. Never committed; read
// from the system (or $KILN_DEMO_IMAGE).

import { existsSync } from 'node:fs';

export const SAMPLE_IMAGE = {
  systemPaths: [
    '/usr/lib/python3/dist-packages/imageio/resources/images/astronaut.png',
    '/usr/lib/python3/dist-packages/skimage/data/astronaut.png',
  ] as readonly string[],
  attribution: 'Astronaut Eileen Collins, NASA portrait (public domain), from the imageio / scikit-image sample data.',
  source: 'https://commons.wikimedia.org/wiki/File:Eileen_Collins.jpg',
  howToGet(path: string): string {
    return (
      `the demo image ${path} is missing. Install it with \`sudo apt-get install python3-imageio\` ` +
      '(Debian/Ubuntu), or set KILN_DEMO_IMAGE to any PNG or JPEG photo with a face.'
    );
  },
};

/** The image the demo runs on: $KILN_DEMO_IMAGE when set, else the first system copy there is. */
export function demoImagePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KILN_DEMO_IMAGE || (SAMPLE_IMAGE.systemPaths.find((p) => existsSync(p)) ?? SAMPLE_IMAGE.systemPaths[0]);
}
