// (c) AbortSignal: an aborted run or create rejects with AbortError at once (before work queued
// ahead of it finishes), a pre-aborted signal never reaches the worker, and destroy() aborts
// runs in flight. The session keeps working afterwards.

/// <reference path="../types/kiln.d.ts" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchWithExtension, servePage, STRICT_CSP, type LaunchedBrowser, type ServedPage } from './browser';

let browser: LaunchedBrowser;
let site: ServedPage;
let page: Page;

beforeAll(async () => {
  browser = await launchWithExtension();
  site = await servePage('<!doctype html><title>abort</title>', { csp: STRICT_CSP });
  page = await browser.context.newPage();
  await page.goto(site.url);
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
});

it('an aborted run rejects with AbortError before a run queued ahead of it resolves', async () => {
  const r = await page.evaluate(async () => {
    const session = await window.kiln.create('blazeface', { backend: 'reference' });
    const feeds = { 'input:0': { type: 'float32' as const, dims: [1, 128, 128, 3], data: new Float32Array(128 * 128 * 3).fill(0.25) } };
    const order: string[] = [];
    const first = session.run(feeds).then(() => order.push('first resolved'));
    const controller = new AbortController();
    const second = session.run(feeds, { signal: controller.signal }).then(
      () => 'resolved',
      (e: Error) => {
        order.push('second rejected');
        return { isDOMException: e instanceof DOMException, name: e.name };
      },
    );
    controller.abort();
    const outcome = await second;
    await first;
    // The session still works after the abort.
    const again = await session.run(feeds);
    await session.destroy();
    return { outcome, order, againKeys: Object.keys(again).length };
  });
  expect(r.outcome).toEqual({ isDOMException: true, name: 'AbortError' });
  expect(r.order).toEqual(['second rejected', 'first resolved']);
  expect(r.againKeys).toBe(4);
});

it('a pre-aborted signal rejects run and create with AbortError; a custom reason is kept', async () => {
  const r = await page.evaluate(async () => {
    const named = (p: Promise<unknown>) => p.then(() => 'resolved', (e: unknown) => (e instanceof DOMException ? e.name : String(e)));
    const session = await window.kiln.create('ppocr-cls', { backend: 'reference' });
    const feeds = { x: { type: 'float32' as const, dims: [1, 3, 48, 192], data: new Float32Array(3 * 48 * 192) } };
    const run = await named(session.run(feeds, { signal: AbortSignal.abort() }));
    const create = await named(window.kiln.create('ppocr-cls', { backend: 'reference', signal: AbortSignal.abort() }));
    const custom = await named(session.run(feeds, { signal: AbortSignal.abort('my reason') }));
    await session.destroy();
    return { run, create, custom };
  });
  expect(r).toEqual({ run: 'AbortError', create: 'AbortError', custom: 'my reason' });
});

it('destroy() aborts runs in flight; later runs are InvalidStateError', async () => {
  const r = await page.evaluate(async () => {
    const session = await window.kiln.create('blazeface', { backend: 'reference' });
    const feeds = { 'input:0': { type: 'float32' as const, dims: [1, 128, 128, 3], data: new Float32Array(128 * 128 * 3) } };
    const inflight = session.run(feeds).then(() => 'resolved', (e: Error) => e.name);
    await session.destroy();
    const after = await session.run(feeds).then(() => 'resolved', (e: Error) => e.name);
    return { inflight: await inflight, after };
  });
  expect(r).toEqual({ inflight: 'AbortError', after: 'InvalidStateError' });
});

it('create reports download progress to the monitor: 0 first, total last', async () => {
  const events = await page.evaluate(async () => {
    const seen: [number, number][] = [];
    const session = await window.kiln.create('blazeface', {
      backend: 'reference',
      monitor: (m) => m.addEventListener('downloadprogress', (e) => seen.push([(e as ProgressEvent).loaded, (e as ProgressEvent).total])),
    });
    await session.destroy();
    return seen;
  });
  expect(events.length).toBeGreaterThanOrEqual(2);
  expect(events[0][0]).toBe(0);
  const last = events[events.length - 1];
  expect(last[0]).toBe(last[1]);
  expect(last[1]).toBe(442005);
});
