// (a) The real extension in headless Chromium, called from a page with a strict CSP, gives the
// same outputs as onnxruntime-node on the same input: the reference backend within max abs 1e-4,
// the WebGPU backend (in the service worker, on SwiftShader here) within 1e-3 of the output's scale.

/// <reference path="../types/kiln.d.ts" />
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, servePage, STRICT_CSP, type LaunchedBrowser, type ServedPage } from './browser';
import { createAndRun, feedsFor, maxAbsDiff, ortReference } from './harness';
import { MODEL_MAX_ABS, modelBound } from '../cli/compare';

let browser: LaunchedBrowser;
let site: ServedPage;

beforeAll(async () => {
  browser = await launchWithExtension();
  site = await servePage('<!doctype html><title>parity</title><p>strict CSP page</p>', { csp: STRICT_CSP });
});
afterAll(async () => {
  await site?.close();
  await browser?.close();
});

describe('the built page API script', () => {
  it('is a standalone IIFE, not a loader importing chunks', () => {
    const code = readFileSync(new URL('../dist/content/page-api.js', import.meta.url), 'utf8');
    expect(code.trimStart().startsWith('(function')).toBe(true);
    expect(code).not.toMatch(/\bimport\s*\(|^\s*import\s|chrome\.runtime\.getURL/m);
  });
});

// `ranOn`: the backend the session must report; 'auto' picks the WASM kernels, since the worker's
// only adapter here is SwiftShader, a software one.
const cases = [
  { model: 'blazeface', backend: 'reference', ranOn: 'reference' },
  { model: 'ppocr-cls', backend: 'reference', ranOn: 'reference' },
  { model: 'blazeface', backend: 'webgpu', ranOn: 'webgpu' },
  { model: 'ppocr-cls', backend: 'webgpu', ranOn: 'webgpu' },
  { model: 'ppocr-cls', backend: 'auto', ranOn: 'wasm' },
] as const;

describe.each(cases)('$model through window.kiln on $backend', ({ model, backend, ranOn }) => {
  it('matches onnxruntime-node', async () => {
    const page = await browser.context.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(site.url);
    expect(await page.evaluate(() => Object.getOwnPropertyDescriptor(window, 'kiln')?.writable)).toBe(false);
    expect(await page.evaluate((m) => window.kiln.availability(m), model)).toBe('available');

    const feeds = feedsFor(model, 1234);
    const got = await createAndRun(page, model, feeds, backend);
    expect(got.backend).toBe(ranOn);
    const want = await ortReference(model, feeds);

    expect(Object.keys(got.outputs).sort()).toEqual(Object.keys(want).sort());
    for (const [name, w] of Object.entries(want)) {
      expect(new Set(w.data).size, `${name} is not constant`).toBeGreaterThan(1);
      const g = got.outputs[name];
      expect(g.arrayClass, name).toBe('Float32Array');
      expect(g.dims, name).toEqual(w.dims);
      const diff = maxAbsDiff(g.data, w.data);
      const scale = Math.max(...w.data.map(Math.abs));
      // The reference backend is held to the foundation's absolute bar on these two models.
      const bound = ranOn === 'reference' ? MODEL_MAX_ABS : modelBound(ranOn, scale);
      expect(diff, `${model} output ${name} on ${ranOn}: max abs difference`).toBeLessThanOrEqual(bound);
    }
    expect(violations).toEqual([]);
    await page.close();
  });
});
