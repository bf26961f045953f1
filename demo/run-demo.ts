// The demo, as functions: serve the demo page, open it in Chromium with the built extension, and
// either wait for the result and save a screenshot (headless) or leave the window open (display).

import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { launchWithExtension, servePage } from '../e2e/browser';
import type { DemoResult } from './page/result';
import { demoImagePath } from './sample-image';
import { buildDemoSite, PROJECT_ROOT } from './site';

export interface DemoOptions {
  /** default $KILN_DEMO_IMAGE or the system's astronaut.png (demo/sample-image.ts) */
  imagePath?: string;
  /** default <project>/.out/demo.png */
  screenshotPath?: string;
  /** the unpacked extension; default <project>/dist */
  extensionDir?: string;
  /** how long to wait for the page's result; default 120 s */
  timeoutMs?: number;
}

export interface HeadlessDemoResult extends DemoResult {
  readonly screenshotPath: string;
  readonly pageUrl: string;
}

const OUT_DIR = join(PROJECT_ROOT, '.out');

async function waitForResult(page: Page, timeoutMs: number): Promise<DemoResult> {
  await page.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'error', undefined, { timeout: timeoutMs });
  const result = await page.evaluate(() => window.kilnDemo);
  if (!result) throw new Error('the demo page finished without a result');
  return result;
}

/** Runs the demo headless: returns the faces and timings and saves a screenshot of the page. */
export async function runHeadlessDemo(options: DemoOptions = {}): Promise<HeadlessDemoResult> {
  const site = await buildDemoSite(join(OUT_DIR, 'demo-site'), options.imagePath ?? demoImagePath());
  const screenshotPath = resolve(options.screenshotPath ?? join(OUT_DIR, 'demo.png'));
  const served = await servePage(site);
  // nobody to answer the grant prompt: it is answered "Always allow", as the user would
  const browser = await launchWithExtension({ headless: true, extensionDir: options.extensionDir, prompts: 'always' });
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1000, height: 720 });
    await page.goto(served.url);
    const result = await waitForResult(page, options.timeoutMs ?? 120_000);
    if (result.error) throw new Error(`the demo page failed: ${result.error}`);
    mkdirSync(dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    return { ...result, screenshotPath, pageUrl: served.url };
  } finally {
    await browser.close();
    await served.close();
  }
}

/** Opens the demo in a visible window and resolves when the user closes the browser. */
export async function runVisibleDemo(options: DemoOptions = {}): Promise<void> {
  const site = await buildDemoSite(join(OUT_DIR, 'demo-site'), options.imagePath ?? demoImagePath());
  const served = await servePage(site);
  // the user answers Kiln's grant prompt for the demo page themselves
  const browser = await launchWithExtension({ headless: false, extensionDir: options.extensionDir, prompts: 'manual' });
  try {
    const closed = new Promise<void>((done) => browser.context.once('close', () => done()));
    const page = await browser.context.newPage();
    await page.goto(served.url);
    console.log(`Kiln demo open at ${served.url}: allow it the face detector in Kiln's prompt; close the browser window to stop.`);
    waitForResult(page, options.timeoutMs ?? 120_000).then(
      (r) => console.log(formatResult(r).join('\n')),
      () => undefined,
    );
    await closed;
  } finally {
    await browser.close();
    await served.close();
  }
}

/** The lines the headless demo prints. */
export function formatResult(r: DemoResult): string[] {
  const lines = [`${r.faces.length} face${r.faces.length === 1 ? '' : 's'} in the ${r.imageWidth}×${r.imageHeight} image (backend ${r.backend}):`];
  r.faces.forEach((f, i) => {
    const box = [f.x, f.y, f.width, f.height].map((v) => v.toFixed(1)).join(', ');
    lines.push(`  face ${i + 1}: score ${f.score.toFixed(3)}, box x,y,w,h = ${box} px`);
  });
  lines.push(`timing: create ${r.createMs.toFixed(1)} ms, run ${r.runMs.toFixed(1)} ms`);
  return lines;
}
