// The fast lane (background/lanes.ts): after the first run the relay opens a MessagePort to the
// worker through the hidden lane frame, in a closed shadow root the page's scripts cannot reach,
// and hands its page end to the page API; later runs go over it with the same answers, and the
// page itself cannot open a lane: a port it hands a lane frame of its own with a made-up token
// gets nothing back.

/// <reference path="../types/kiln.d.ts" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchWithExtension, servePage, type LaunchedBrowser, type ServedPage } from './browser';

let browser: LaunchedBrowser;
let site: ServedPage;
let page: Page;

beforeAll(async () => {
  browser = await launchWithExtension();
  site = await servePage('<!doctype html><title>lane</title><body></body>');
  page = await browser.context.newPage();
  await page.goto(site.url);
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
});

it('opens the lane after the first run; runs over it answer the same', async () => {
  const r = await page.evaluate(async () => {
    const s = await window.kiln.create('ppocr-cls', { backend: 'reference' });
    const data = new Float32Array(3 * 48 * 192).map((_, i) => Math.sin(i));
    const feeds = { x: { type: 'float32' as const, dims: [1, 3, 48, 192], data } };
    const first = Array.from((await s.run(feeds))['softmax_0.tmp_0'].data as Float32Array);
    // the lane opens in the background: wait for its frame's host, then run again
    for (let i = 0; i < 100 && !document.querySelector('kiln-lane'); i++) await new Promise((ok) => setTimeout(ok, 50));
    await new Promise((ok) => setTimeout(ok, 300));
    const later: number[][] = [];
    for (let i = 0; i < 3; i++) later.push(Array.from((await s.run(feeds))['softmax_0.tmp_0'].data as Float32Array));
    await s.destroy();
    const host = document.querySelector('kiln-lane') as HTMLElement | null;
    return { first, later, host: host !== null, hidden: host?.hidden ?? null, shadow: host?.shadowRoot ?? null, iframes: document.querySelectorAll('iframe').length };
  });
  // the page sees a hidden host element and nothing inside it
  expect(r).toMatchObject({ host: true, hidden: true, shadow: null, iframes: 0 });
  const frames = page.frames().filter((f) => /^chrome-extension:\/\/[a-p]{32}\/lane\/frame\.html$/.test(f.url()));
  expect(frames).toHaveLength(1);
  for (const l of r.later) expect(l).toEqual(r.first);
});

it('a port the page hands a lane frame of its own, with a made-up token, gets no lane', async () => {
  const got = await page.evaluate(async (src) => {
    // the frame is web-accessible, so a page can load it; what it lacks is a token the worker issued
    const frame = document.createElement('iframe');
    frame.src = src;
    document.body.append(frame);
    await new Promise((ok) => frame.addEventListener('load', ok, { once: true }));
    if (!frame.contentWindow) return 'no frame';
    const { port1, port2 } = new MessageChannel();
    const seen: unknown[] = [];
    port1.onmessage = (e) => seen.push(e.data);
    frame.contentWindow.postMessage({ kind: 'kiln-lane', token: crypto.randomUUID() }, '*', [port2]);
    port1.postMessage({ kind: 'availability', id: 1, model: 'ppocr-cls' });
    await new Promise((ok) => setTimeout(ok, 1500));
    return seen;
  }, `chrome-extension://${browser.extensionId}/lane/frame.html`);
  expect(got).toEqual([]);
});
