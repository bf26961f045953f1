// (b) Bad input gets a DOMException with the right name and a message that says what was
// expected, through the page API and as raw messages straight to the worker's page Port; the
// worker keeps serving afterwards.

/// <reference path="../types/kiln.d.ts" />
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, servePage, STRICT_CSP, type LaunchedBrowser, type ServedPage } from './browser';
import { createAndRun, feedsFor, maxAbsDiff, ortReference, type PageError } from './harness';
import { relayWorld } from './relay-world';

let browser: LaunchedBrowser;
let site: ServedPage;
let page: Page;

beforeAll(async () => {
  browser = await launchWithExtension();
  site = await servePage('<!doctype html><title>bad input</title>', { csp: STRICT_CSP });
  page = await browser.context.newPage();
  await page.goto(site.url);
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
});

/** Runs `x` (an input tensor built in the page from its description) on a ppocr-cls session. */
async function runWith(x: { type: string; array: string; length: number; dims: number[] }): Promise<PageError | 'resolved'> {
  return page.evaluate(async (x) => {
    const arrays: Record<string, new (n: number) => unknown> = { Float32Array, Float64Array, Int32Array, BigInt64Array, Uint8Array };
    const session = await window.kiln.create('ppocr-cls', { backend: 'reference' });
    try {
      const data = x.array === 'Array' ? new Array(x.length).fill(0) : new arrays[x.array](x.length);
      await session.run({ x: { type: x.type, data, dims: x.dims } as unknown as KilnTensor });
      return 'resolved' as const;
    } catch (e) {
      return { isDOMException: e instanceof DOMException, name: (e as Error).name, message: (e as Error).message };
    } finally {
      await session.destroy();
    }
  }, x);
}

async function pageError(fn: () => Promise<unknown>): Promise<PageError> {
  const r = await fn();
  if (typeof r !== 'object' || r === null || !('name' in r)) throw new Error(`expected a rejection, got ${JSON.stringify(r)}`);
  return r as PageError;
}

const n = 3 * 48 * 192;

describe('through window.kiln', () => {
  it('unknown model id: NotFoundError naming the known models', async () => {
    const e = await pageError(() => page.evaluate(() => window.kiln.create('no-such-model').then(() => 'resolved', (e: Error) => ({ isDOMException: e instanceof DOMException, name: e.name, message: e.message }))));
    expect(e).toMatchObject({ isDOMException: true, name: 'NotFoundError' });
    expect(e.message).toContain('no-such-model');
    expect(e.message).toContain("'blazeface'");
    expect(e.message).toContain("'ppocr-cls'");
    expect(await page.evaluate(() => window.kiln.availability('no-such-model'))).toBe('unavailable');
  });

  it('unknown backend: NotSupportedError naming the supported ones', async () => {
    const e = await pageError(() => page.evaluate(() => window.kiln.create('blazeface', { backend: 'cuda' }).then(() => 'resolved', (e: Error) => ({ isDOMException: e instanceof DOMException, name: e.name, message: e.message }))));
    expect(e).toMatchObject({ isDOMException: true, name: 'NotSupportedError' });
    expect(e.message).toMatch(/'cuda'.*'auto'.*'reference'/);
  });

  it('wrong dtype: DataError saying float32 was expected', async () => {
    const e = await runWith({ type: 'int32', array: 'Int32Array', length: n, dims: [1, 3, 48, 192] });
    expect(e).toMatchObject({ isDOMException: true, name: 'DataError' });
    expect((e as PageError).message).toMatch(/float32/);
  });

  it('wrong shape: DataError showing the expected shape', async () => {
    // ppocr-cls takes [batch, 3, height, width]: 4 channels is wrong, as is a missing batch axis.
    const e = await runWith({ type: 'float32', array: 'Float32Array', length: 4 * 48 * 192, dims: [1, 4, 48, 192] });
    expect(e).toMatchObject({ isDOMException: true, name: 'DataError' });
    expect((e as PageError).message).toMatch(/shape float32\[.*,3,.*\], got \[1,4,48,192\]/);
    const e2 = await runWith({ type: 'float32', array: 'Float32Array', length: n, dims: [3, 48, 192] });
    expect(e2).toMatchObject({ isDOMException: true, name: 'DataError' });
  });

  it('data length not matching dims: DataError', async () => {
    const e = await runWith({ type: 'float32', array: 'Float32Array', length: 10, dims: [1, 3, 48, 192] });
    expect(e).toMatchObject({ isDOMException: true, name: 'DataError' });
    expect((e as PageError).message).toContain(`need ${n} elements, data has 10`);
  });

  it('typed array not matching the dtype: DataError naming the array class', async () => {
    const e = await runWith({ type: 'float32', array: 'Float64Array', length: n, dims: [1, 3, 48, 192] });
    expect(e).toMatchObject({ isDOMException: true, name: 'DataError' });
    expect((e as PageError).message).toContain('Float32Array');
    const e2 = await runWith({ type: 'int64', array: 'Array', length: n, dims: [1, 3, 48, 192] });
    expect(e2).toMatchObject({ isDOMException: true, name: 'DataError' });
    expect((e2 as PageError).message).toContain('BigInt64Array');
  });

  it('huge tensor: QuotaExceededError quoting the bound', async () => {
    const e = await runWith({ type: 'float32', array: 'Float32Array', length: 1, dims: [1, 3, 4096, 4096] });
    expect(e).toMatchObject({ isDOMException: true, name: 'QuotaExceededError' });
    expect((e as PageError).message).toContain('33554432');
  });

  it('a good run still works afterwards', async () => {
    const feeds = feedsFor('ppocr-cls', 7);
    const got = await createAndRun(page, 'ppocr-cls', feeds);
    const want = await ortReference('ppocr-cls', feeds);
    expect(maxAbsDiff(got.outputs['softmax_0.tmp_0'].data, want['softmax_0.tmp_0'].data)).toBeLessThanOrEqual(1e-4);
  });
});

describe('raw messages to the worker', () => {
  it('each malformed message gets an error with the right name; the port keeps working', async () => {
    const world = await relayWorld(browser.context, page);
    const replies = (await world.exchange(
      [
        `'garbage'`,
        `{ kind: 'launch', id: 1 }`,
        `{ kind: 'run', id: 2, session: 'abc', feeds: 'nope' }`,
        `{ kind: 'run', id: 3, session: 'abc', feeds: { x: { type: 'float32', dims: [2], data: [1, 2] } } }`,
        `{ kind: 'run', id: 4, session: 'abc', feeds: { x: { type: 'float32', dims: [1, 3, 48, 192], data: new Float32Array(5) } } }`,
        `{ kind: 'create', id: 5, model: 'x'.repeat(1000), backend: 'auto' }`,
        `{ kind: 'run', id: 6, session: 'abc', feeds: { x: { type: 'float32', dims: [1, 1, 1, 1, 1, 1, 1, 1, 1], data: new Float32Array(1) } } }`,
        `{ kind: 'run', id: 7, session: 'abc', feeds: { x: { type: 'float32', dims: [8388609], data: new Float32Array(8388609) } } }`,
        `{ kind: 'run', id: 8, session: 'no-such-session', feeds: { x: { type: 'float32', dims: [1], data: new Float32Array(1) } } }`,
        `{ kind: 'create', id: 9, model: 'blazeface', backend: 'webnn' }`,
        `{ kind: 'availability', id: 10, model: 'blazeface' }`,
      ],
      11,
      60_000,
    )) as { kind: string; id: number | null; name?: string; message?: string; value?: unknown }[];
    const byId = new Map(replies.map((r) => [r.id, r]));
    expect(byId.get(null)).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(byId.get(1)).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(byId.get(1)?.message).toMatch(/malformed page request 'launch'/);
    expect(byId.get(2)).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(byId.get(3)).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(byId.get(3)?.message).toContain('Float32Array');
    expect(byId.get(4)).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(byId.get(4)?.message).toContain('need 27648 elements, data has 5');
    expect(byId.get(5)).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(byId.get(6)).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(byId.get(6)?.message).toContain('rank 9');
    expect(byId.get(7)).toMatchObject({ kind: 'error', name: 'QuotaExceededError' });
    expect(byId.get(7)?.message).toContain('33554432');
    expect(byId.get(8)).toMatchObject({ kind: 'error', name: 'InvalidStateError' });
    expect(byId.get(9)).toMatchObject({ kind: 'error', name: 'NotSupportedError' });
    expect(byId.get(10)).toMatchObject({ kind: 'result', value: { availability: 'available' } });
  });

  it('the page API still works after the raw messages', async () => {
    const feeds = feedsFor('blazeface', 99);
    const got = await createAndRun(page, 'blazeface', feeds);
    const want = await ortReference('blazeface', feeds);
    for (const name of Object.keys(want)) expect(maxAbsDiff(got.outputs[name].data, want[name].data)).toBeLessThanOrEqual(1e-4);
  });
});
