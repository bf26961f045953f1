// (e) The service worker is stopped (CDP ServiceWorker.stopAllWorkers, as Chrome stops it after
// 30 s idle): the next run on an old session id still answers correctly, from a fresh worker
// that rebuilt the session from its descriptor (on a compiling backend, from the compiled-model
// cache: no import, no optimization); a run in flight when the worker dies is resent, whether it
// went through the relay or straight over the fast lane.

/// <reference path="../types/kiln.d.ts" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compiledEntries, currentWorker, launchWithExtension, servePage, STRICT_CSP, type LaunchedBrowser, type ServedPage } from './browser';
import { workerControl, type WorkerControl } from './worker-control';
import { feedsFor, maxAbsDiff, ortReference, popupStatus } from './harness';

let browser: LaunchedBrowser;
let site: ServedPage;
let page: Page;
let worker: WorkerControl;

beforeAll(async () => {
  browser = await launchWithExtension();
  worker = await workerControl(browser);
  site = await servePage('<!doctype html><title>restart</title>', { csp: STRICT_CSP });
  page = await browser.context.newPage();
  await page.goto(site.url);
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
});

const feeds = feedsFor('blazeface', 42);

function runKept(page: Page, input: typeof feeds, which = 'kept') {
  return page.evaluate(async ([input, which]) => {
    const session = (window as unknown as Record<string, KilnSession>)[which];
    const t = input['input:0'];
    const out = await session.run({ 'input:0': { type: 'float32', dims: t.dims, data: Float32Array.from(t.data) } });
    return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, Array.from(v.data as Float32Array)]));
  }, [input, which] as const);
}

/** Where this worker's sessions on `backend` came from ('kiln:create' measures): 'cache' or 'compiled', oldest first. */
async function createdFrom(backend: string): Promise<string[]> {
  const sw = await currentWorker(browser.context);
  return sw.evaluate((backend) => performance.getEntriesByName('kiln:create', 'measure')
    .map((e) => (e as PerformanceMeasure).detail as { backend: string; source: string })
    .filter((d) => d.backend === backend)
    .map((d) => d.source), backend);
}

async function expectMatchesOrt(got: Record<string, number[]>): Promise<void> {
  const want = await ortReference('blazeface', feeds);
  for (const name of Object.keys(want)) expect(maxAbsDiff(got[name], want[name].data), name).toBeLessThanOrEqual(1e-4);
}

it('a run on an old session id after the worker was stopped answers correctly', async () => {
  await page.evaluate(async () => {
    (window as unknown as { kept: KilnSession }).kept = await window.kiln.create('blazeface', { backend: 'reference' });
  });
  await expectMatchesOrt(await runKept(page, feeds));

  expect((await popupStatus(browser)).find((m) => m.id === 'blazeface')).toMatchObject({ loaded: true, sessions: 1 });

  await worker.stop();
  const starts = worker.starts();
  // The fresh worker knows the session (its descriptor outlived the worker) but holds no model yet.
  expect((await popupStatus(browser)).find((m) => m.id === 'blazeface')).toMatchObject({ loaded: false, sessions: 1 });

  expect(worker.starts(), 'the popup woke a new worker').toBe(starts + 1);

  await expectMatchesOrt(await runKept(page, feeds));
  expect((await popupStatus(browser)).find((m) => m.id === 'blazeface')).toMatchObject({ loaded: true, sessions: 1 });
});

it('a run in flight when the worker stops is resent and answers', async () => {
  await worker.stop();
  const starts = worker.starts();
  const run = runKept(page, feeds);
  // Wait until the request has woken the worker and it runs, then stop it mid-request.
  while (worker.starts() === starts || worker.status() !== 'running') await new Promise((r) => setTimeout(r, 5));
  await new Promise((r) => setTimeout(r, 50));
  await worker.stop();
  await expectMatchesOrt(await run);
  expect(worker.starts(), 'the relay resent the request to a new worker').toBeGreaterThanOrEqual(starts + 2);
});

it('a run in flight on the fast lane when the worker stops is sent again through the relay and answers', async () => {
  await page.evaluate(async () => {
    (window as unknown as { laneKept: KilnSession }).laneKept = await window.kiln.create('blazeface', { backend: 'reference' });
  });
  await worker.stop();
  await expectMatchesOrt(await runKept(page, feeds, 'laneKept')); // through the relay; it opens a new lane
  // the page API sends over the lane once the worker acknowledged it: wait for its frame, then a beat
  await page.waitForFunction(() => document.querySelector('kiln-lane') !== null);
  await new Promise((r) => setTimeout(r, 500));
  await expectMatchesOrt(await runKept(page, feeds, 'laneKept'));
  const starts = worker.starts();
  const run = runKept(page, feeds, 'laneKept');
  await new Promise((r) => setTimeout(r, 50));
  await worker.stop();
  // a call lost with the lane's worker would never settle: this answer came through the relay
  await expectMatchesOrt(await run);
  expect(worker.starts(), 'the request woke a new worker').toBeGreaterThanOrEqual(starts + 1);
});

it.each(['wasm', 'webgpu'])('on the %s backend, the session of a stopped worker comes back from the compiled-model cache', async (backend) => {
  const name = `compiled_${backend}`;
  await page.evaluate(async ([name, backend]) => {
    (window as unknown as Record<string, KilnSession>)[name] = await window.kiln.create('blazeface', { backend });
  }, [name, backend] as const);
  expect(await createdFrom(backend)).toEqual(['compiled']);
  const want = await runKept(page, feeds, name);
  await expectMatchesOrt(want);
  // the plans are stored after the first run answered (one entry per backend)
  await expect.poll(() => compiledEntries(browser.context), { timeout: 30_000 }).toBe(backend === 'wasm' ? 1 : 2);
  await worker.stop();
  const got = await runKept(page, feeds, name);
  expect(await createdFrom(backend), 'the new worker restored the session from the cache').toEqual(['cache']);
  expect(got).toEqual(want);
});

it('several stops in a row: every run still answers', async () => {
  for (let i = 0; i < 3; i++) {
    await worker.stop();
    await expectMatchesOrt(await runKept(page, feeds));
  }
});
