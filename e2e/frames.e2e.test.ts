// Frames: window.kiln works in a cross-origin iframe under that frame's own origin, and a
// sandboxed frame (opaque origin) is refused with NotAllowedError instead of hanging.

/// <reference path="../types/kiln.d.ts" />
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchWithExtension, servePage, type LaunchedBrowser, type ServedPage } from './browser';
import { popupStatus } from './harness';

let browser: LaunchedBrowser;
let inner: ServedPage;
let outer: ServedPage;

beforeAll(async () => {
  browser = await launchWithExtension();
  inner = await servePage('<!doctype html><title>inner</title>');
  outer = await servePage(`<!doctype html><title>outer</title>
    <iframe id="plain" src="${inner.url}"></iframe>
    <iframe id="sandboxed" sandbox="allow-scripts" src="${inner.url}"></iframe>`);
});
afterAll(async () => {
  await inner?.close();
  await outer?.close();
  await browser?.close();
});

it('a cross-origin iframe gets its own sessions; a sandboxed one is refused', async () => {
  const page = await browser.context.newPage();
  await page.goto(outer.url);
  await page.waitForLoadState('load');
  const frames = page.frames().filter((f) => f !== page.mainFrame());
  expect(frames).toHaveLength(2);
  const outcomes = await Promise.all(
    frames.map((f) =>
      f.evaluate(async () => {
        try {
          const s = await window.kiln.create('ppocr-cls', { backend: 'reference' });
          const out = await s.run({ x: { type: 'float32', dims: [1, 3, 48, 192], data: new Float32Array(27648) } });
          return { origin: location.origin, sandboxed: origin === 'null', result: Object.keys(out) };
        } catch (e) {
          return { origin: location.origin, sandboxed: origin === 'null', error: (e as Error).name, message: (e as Error).message };
        }
      }),
    ),
  );
  const plain = outcomes.find((o) => !o.sandboxed);
  const sandboxed = outcomes.find((o) => o.sandboxed);
  expect(plain).toMatchObject({ origin: inner.origin, result: ['softmax_0.tmp_0'] });
  expect(sandboxed).toMatchObject({ error: 'NotAllowedError' });
  expect((sandboxed as { message: string }).message).toContain('null');
  // The session the plain frame left open is bound to the inner origin.
  const stored = Object.values(await browser.worker.evaluate(() => chrome.storage.session.get(null))) as { origin: string }[];
  expect(stored.map((r) => r.origin)).toEqual([inner.origin]);
  expect((await popupStatus(browser)).find((m) => m.id === 'ppocr-cls')?.sessions).toBe(1);
});
