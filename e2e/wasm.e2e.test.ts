// The WebAssembly backend inside the extension, in headless Chromium launched without WebGPU: the
// service worker fetches the packaged kernels, 'auto' falls back to them (no adapter), and the
// outputs match onnxruntime-node within the bound cli/compare.ts states for compiling backends.

/// <reference path="../types/kiln.d.ts" />
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, servePage, STRICT_CSP, type LaunchedBrowser, type ServedPage } from './browser';
import { createAndRun, feedsFor, maxAbsDiff, ortReference } from './harness';
import { modelBound } from '../cli/compare';

let browser: LaunchedBrowser;
let site: ServedPage;

beforeAll(async () => {
  browser = await launchWithExtension({ webgpu: false });
  site = await servePage('<!doctype html><title>wasm</title><p>strict CSP page</p>', { csp: STRICT_CSP });
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
});

describe('the WebAssembly backend in the service worker, WebGPU disabled', () => {
  it('gets no WebGPU adapter in the worker', async () => {
    const adapter = await browser.worker.evaluate(async () => {
      const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
      return gpu ? (await gpu.requestAdapter()) !== null : false;
    });
    expect(adapter).toBe(false);
  });

  const cases = [
    { model: 'ppocr-cls', backend: 'wasm' },
    { model: 'blazeface', backend: 'wasm' },
    { model: 'ppocr-cls', backend: 'auto' },
  ] as const;

  it.each(cases)('$model on $backend runs as wasm and matches onnxruntime-node', async ({ model, backend }) => {
    const page = await browser.context.newPage();
    await page.goto(site.url);
    const feeds = feedsFor(model, 4321);
    const got = await createAndRun(page, model, feeds, backend);
    expect(got.backend).toBe('wasm');
    const want = await ortReference(model, feeds);
    for (const [name, w] of Object.entries(want)) {
      const g = got.outputs[name];
      expect(g.dims, name).toEqual(w.dims);
      const scale = Math.max(...w.data.map(Math.abs));
      expect(maxAbsDiff(g.data, w.data), `${model} ${name} on wasm`).toBeLessThanOrEqual(modelBound('wasm', scale));
    }
    await page.close();
  });
});
