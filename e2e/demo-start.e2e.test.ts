// The headless path of `npm start`: the demo page finds the one face of the astronaut portrait
// through window.kiln in the real extension and the screenshot is written as a PNG.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runHeadlessDemo } from '../demo/run-demo';
import { demoImagePath, SAMPLE_IMAGE } from '../demo/sample-image';

const image = demoImagePath();
const haveImage = existsSync(image);
// A developer's machine may lack the photo; CI installs it, so there a missing photo fails.
if (!haveImage && !process.env.CI) console.warn(`skipping the demo e2e test: ${SAMPLE_IMAGE.howToGet(image)}`);

describe.skipIf(!haveImage && !process.env.CI)('npm start, headless', () => {
  it('detects one face and saves a PNG screenshot', async () => {
    const screenshotPath = join(__dirname, '..', '.out', 'demo-e2e.png');
    const result = await runHeadlessDemo({ screenshotPath });
    expect(result.error).toBeUndefined();
    expect(result.faces).toHaveLength(1);
    const [face] = result.faces;
    expect(face.score).toBeGreaterThan(0.85);
    expect(face.x).toBeGreaterThan(165);
    expect(face.x + face.width).toBeLessThan(300);
    expect(face.y).toBeGreaterThan(60);
    expect(face.y + face.height).toBeLessThan(220);
    expect(face.keypoints).toHaveLength(6);
    expect(result.createMs).toBeGreaterThan(0);
    expect(result.runMs).toBeGreaterThan(0);
    expect(existsSync(result.screenshotPath)).toBe(true);
    const png = readFileSync(result.screenshotPath);
    expect(png.length).toBeGreaterThan(10_000);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  });
});
