// The demo's sample photo: NASA's public-domain portrait of astronaut Eileen Collins, as Debian's
// python3-skimage ships it. Never committed; read from the system (or $KILN_DEMO_IMAGE).

export const SAMPLE_IMAGE = {
  defaultPath: '/usr/lib/python3/dist-packages/skimage/data/astronaut.png',
  attribution: 'Astronaut Eileen Collins, NASA portrait (public domain), from the scikit-image sample data.',
  source: 'https://commons.wikimedia.org/wiki/File:Eileen_Collins.jpg',
  howToGet(path: string): string {
    return (
      `the demo image ${path} is missing. Install it with \`sudo apt-get install python3-skimage\` ` +
      '(Debian/Ubuntu), or set KILN_DEMO_IMAGE to any PNG or JPEG photo with a face.'
    );
  },
} as const;

/** The image the demo runs on: $KILN_DEMO_IMAGE when set, else skimage's astronaut.png. */
export function demoImagePath(env: NodeJS.ProcessEnv = process.env): string {
  return env.KILN_DEMO_IMAGE || SAMPLE_IMAGE.defaultPath;
}
