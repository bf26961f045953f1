// (d) Two tabs on two origins with sessions at once: concurrent runs each get their own correct
// outputs, a session id is useless to another origin, the popup channel counts open sessions,
// and closing a tab frees its sessions.

/// <reference path="../types/kiln.d.ts" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchWithExtension, servePage, STRICT_CSP, type LaunchedBrowser, type ServedPage } from './browser';
import { feedsFor, maxAbsDiff, ortReference, popupStatus } from './harness';
import { relayWorld } from './relay-world';

let browser: LaunchedBrowser;
let siteA: ServedPage;
let siteB: ServedPage;
let tabA: Page;
let tabB: Page;

beforeAll(async () => {
  browser = await launchWithExtension();
  siteA = await servePage('<!doctype html><title>A</title>', { csp: STRICT_CSP });
  siteB = await servePage('<!doctype html><title>B</title>');
  tabA = await browser.context.newPage();
  tabB = await browser.context.newPage();
  await Promise.all([tabA.goto(siteA.url), tabB.goto(siteB.url)]);
});
afterAll(async () => {
  await siteA?.close();
  await siteB?.close();
  await browser?.close();
});

/** In the page: open sessions of the given models (kept on window for later), run all at once. */
function openAndRunAll(page: Page, jobs: { model: string; feeds: Record<string, { dims: number[]; data: number[] }> }[]) {
  return page.evaluate(async (jobs) => {
    const sessions = await Promise.all(jobs.map((j) => window.kiln.create(j.model, { backend: 'reference' })));
    (window as unknown as { kept: KilnSession[] }).kept = sessions;
    const results = await Promise.all(
      sessions.map((s, i) => {
        const wire: Record<string, KilnTensor> = {};
        for (const [name, t] of Object.entries(jobs[i].feeds)) wire[name] = { type: 'float32', dims: t.dims, data: Float32Array.from(t.data) };
        return s.run(wire);
      }),
    );
    return results.map((out) => Object.fromEntries(Object.entries(out).map(([k, t]) => [k, Array.from(t.data as Float32Array)])));
  }, jobs);
}

it('runs sessions in two tabs at once, each with the right outputs', async () => {
  const blaze1 = feedsFor('blazeface', 1);
  const blaze2 = feedsFor('blazeface', 2);
  const cls3 = feedsFor('ppocr-cls', 3);
  const cls4 = feedsFor('ppocr-cls', 4);
  const [a, b] = await Promise.all([
    openAndRunAll(tabA, [
      { model: 'blazeface', feeds: blaze1 },
      { model: 'ppocr-cls', feeds: cls3 },
    ]),
    openAndRunAll(tabB, [
      { model: 'blazeface', feeds: blaze2 },
      { model: 'ppocr-cls', feeds: cls4 },
    ]),
  ]);
  const check = async (got: Record<string, number[]>, model: string, feeds: ReturnType<typeof feedsFor>) => {
    const want = await ortReference(model, feeds);
    for (const name of Object.keys(want)) expect(maxAbsDiff(got[name], want[name].data), `${model} ${name}`).toBeLessThanOrEqual(1e-4);
  };
  await check(a[0], 'blazeface', blaze1);
  await check(a[1], 'ppocr-cls', cls3);
  await check(b[0], 'blazeface', blaze2);
  await check(b[1], 'ppocr-cls', cls4);
  // Different inputs gave different outputs: no cross-talk between the tabs' requests.
  expect(maxAbsDiff(a[0]['Identity:0'], b[0]['Identity:0'])).toBeGreaterThan(1e-3);
});

it('the popup channel counts the open sessions per model', async () => {
  const models = await popupStatus(browser);
  expect(models.map((m) => m.id).sort()).toEqual(['blazeface', 'ppocr-cls']);
  for (const m of models) {
    expect(m.sessions).toBe(2);
    expect(m.loaded).toBe(true);
    expect(m.bytes).toBeGreaterThan(0);
  }
});

it("one origin cannot use another origin's session id", async () => {
  const stored = await browser.worker.evaluate(() => chrome.storage.session.get(null));
  const records = Object.values(stored) as { id: string; origin: string; model: string }[];
  const ofA = records.find((r) => r.origin === siteA.origin && r.model === 'ppocr-cls');
  expect(ofA).toBeDefined();
  const worldB = await relayWorld(browser.context, tabB);
  const [reply] = (await worldB.exchange([`{ kind: 'run', id: 1, session: ${JSON.stringify(ofA!.id)}, feeds: { x: { type: 'float32', dims: [1, 3, 48, 192], data: new Float32Array(27648) } } }`], 1)) as { kind: string; name: string; message: string }[];
  expect(reply).toMatchObject({ kind: 'error', name: 'InvalidStateError' });
  expect(reply.message).toContain(siteB.origin);
  // ...while origin A itself still can.
  const worldA = await relayWorld(browser.context, tabA);
  const [own] = (await worldA.exchange([`{ kind: 'run', id: 1, session: ${JSON.stringify(ofA!.id)}, feeds: { x: { type: 'float32', dims: [1, 3, 48, 192], data: new Float32Array(27648) } } }`], 1, 30_000)) as { kind: string }[];
  expect(own.kind).toBe('result');
});

it("closing a tab frees that tab's sessions", async () => {
  await tabB.close();
  let models = await popupStatus(browser);
  for (let i = 0; i < 50 && models.some((m) => m.sessions !== 1); i++) {
    await new Promise((r) => setTimeout(r, 100));
    models = await popupStatus(browser);
  }
  expect(models.map((m) => m.sessions)).toEqual([1, 1]);
});
