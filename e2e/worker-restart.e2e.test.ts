// (e) The service worker is stopped (CDP Target.closeTarget on its target, as Chrome does after
// 30 s idle): the next run on an old session id still answers correctly, from a fresh worker
// that rebuilt the session from its descriptor; a run in flight when the worker dies is resent.

/// <reference path="../types/kiln.d.ts" />
import type { CDPSession, Page, Worker } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { currentWorker, launchWithExtension, servePage, STRICT_CSP, type LaunchedBrowser, type ServedPage } from './browser';
import { feedsFor, maxAbsDiff, ortReference } from './harness';

let browser: LaunchedBrowser;
let site: ServedPage;
let page: Page;
let cdp: CDPSession;

beforeAll(async () => {
  browser = await launchWithExtension();
  cdp = await browser.context.browser()!.newBrowserCDPSession();
  site = await servePage('<!doctype html><title>restart</title>', { csp: STRICT_CSP });
  page = await browser.context.newPage();
  await page.goto(site.url);
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
});

/** Stops the extension's service worker and waits until Playwright sees it gone. */
async function stopWorker(worker: Worker): Promise<void> {
  const closed = new Promise<void>((resolve) => worker.once('close', () => resolve()));
  const { targetInfos } = await cdp.send('Target.getTargets');
  const target = targetInfos.find((t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${browser.extensionId}/`));
  expect(target, 'the extension service worker target').toBeDefined();
  await cdp.send('Target.closeTarget', { targetId: target!.targetId });
  await closed;
}

const feeds = feedsFor('blazeface', 42);

function runKept(page: Page, input: typeof feeds) {
  return page.evaluate(async (input) => {
    const session = (window as unknown as { kept: KilnSession }).kept;
    const t = input['input:0'];
    const out = await session.run({ 'input:0': { type: 'float32', dims: t.dims, data: Float32Array.from(t.data) } });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
  }, input);
}

async function expectMatchesOrt(got: Record<string, number[]>): Promise<void> {
  const want = await ortReference('blazeface', feeds);
  for (const name of Object.keys(want)) expect(maxAbsDiff(got[name], want[name].data), name).toBeLessThanOrEqual(1e-4);
}

it('a run on an old session id after the worker was stopped answers correctly', async () => {
  await page.evaluate(async () => {
    (window as unknown as { kept: KilnSession }).kept = await window.kiln.create('blazeface');
  });
  await expectMatchesOrt(await runKept(page, feeds));

  const old = await currentWorker(browser.context);
  await old.evaluate(() => {
    (globalThis as unknown as { marker: string }).marker = 'old worker';
  });
  await stopWorker(old);

  await expectMatchesOrt(await runKept(page, feeds));
  const fresh = await currentWorker(browser.context);
  // A new worker instance answered: the old one's globals are gone.
  expect(await fresh.evaluate(() => (globalThis as unknown as { marker?: string }).marker)).toBeUndefined();
});

it('a run in flight when the worker stops is resent and answers', async () => {
  const worker = await currentWorker(browser.context);
  const run = runKept(page, feeds);
  await new Promise((r) => setTimeout(r, 30)); // let the request reach the worker
  await stopWorker(worker);
  await expectMatchesOrt(await run);
});
