// Builds the demo page into a folder that demo/start.ts serves on 127.0.0.1: the page's script
// bundled by esbuild (one classic script, no modules to fetch), its HTML and CSS, the sample
// photo copied from the system, and config.json naming the photo and its attribution.

import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DemoConfig } from './page/result';
import { SAMPLE_IMAGE } from './sample-image';

const demoDir = dirname(fileURLToPath(import.meta.url));
export const PROJECT_ROOT = resolve(demoDir, '..');

/** The image is missing or unreadable: the message says how to get it. */
export class DemoImageError extends Error {
  override name = 'DemoImageError';
}

export async function buildDemoSite(outDir: string, imagePath: string): Promise<string> {
  if (!existsSync(imagePath)) throw new DemoImageError(SAMPLE_IMAGE.howToGet(imagePath));
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(demoDir, 'page', 'main.ts')],
    bundle: true,
    format: 'iife',
    target: 'chrome122',
    outfile: join(outDir, 'main.js'),
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'demo.css']) copyFileSync(join(demoDir, 'page', f), join(outDir, f));
  const image = `sample${extname(imagePath).toLowerCase() || '.png'}`;
  copyFileSync(imagePath, join(outDir, image));
  const isDefault = SAMPLE_IMAGE.systemPaths.includes(resolve(imagePath));
  const config: DemoConfig = { image, attribution: isDefault ? SAMPLE_IMAGE.attribution : `${imagePath} (KILN_DEMO_IMAGE)` };
  writeFileSync(join(outDir, 'config.json'), JSON.stringify(config));
  return outDir;
}
