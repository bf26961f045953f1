// Shared pieces of the e2e tests: deterministic inputs, onnxruntime-node as the numerical
// reference, and small in-page helpers (run page code that returns plain JSON back to Node).

/// <reference path="../types/kiln.d.ts" />
import * as ort from 'onnxruntime-node';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { LaunchedBrowser } from './browser';
import type { ModelStatus } from '../protocol';
import { findModel } from '../models/catalog';
import { readCatalogModel } from '../models/copy-models';

/** Deterministic float32 values in [-1, 1) (an LCG, so Node and the page agree without sharing code). */
export function deterministicFloats(n: number, seed: number): number[] {
  const out = new Array<number>(n);
  let s = seed >>> 0;
  const f32 = new Float32Array(1);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    f32[0] = (s / 2 ** 32) * 2 - 1;
    out[i] = f32[0];
  }
  return out;
}

export interface PlainTensor {
  type: string;
  dims: number[];
  data: number[];
}

const ortSessions = new Map<string, Promise<ort.InferenceSession>>();

/** onnxruntime-node's outputs for a catalog model on float32 inputs. */
export async function ortReference(modelId: string, feeds: Record<string, { dims: number[]; data: number[] }>): Promise<Record<string, PlainTensor>> {
  const m = findModel(modelId);
  if (!m) throw new Error(`no catalog model ${modelId}`);
  let session = ortSessions.get(modelId);
  if (!session) {
    session = ort.InferenceSession.create(readCatalogModel(m), { logSeverityLevel: 3 });
    ortSessions.set(modelId, session);
  }
  const s = await session;
  const ortFeeds: Record<string, ort.Tensor> = {};
  for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor('float32', Float32Array.from(t.data), t.dims);
  const out = await s.run(ortFeeds);
  const plain: Record<string, PlainTensor> = {};
  for (const [name, t] of Object.entries(out)) plain[name] = { type: t.type, dims: [...t.dims], data: Array.from(t.data as Float32Array) };
  return plain;
}

export function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= worst)) worst = Number.isNaN(d) ? Infinity : d; // NaN counts as the worst
  }
  return worst;
}

/** What a rejected page call looked like, in plain JSON. */
export interface PageError {
  isDOMException: boolean;
  name: string;
  message: string;
}

/**
 * In the page: create a session of `model`, run it on the given float32 feeds, return the outputs
 * as plain arrays (and the session's declared inputs/outputs and the backend it ran on). Tests of
 * the transport use the reference backend: WebGPU here is SwiftShader, a CPU emulation whose
 * pipeline compiles take seconds; parity.e2e covers the WebGPU backend.
 */
export function createAndRun(page: Page, model: string, feeds: Record<string, { dims: number[]; data: number[] }>, backend = 'reference') {
  return page.evaluate(
    async ({ model, feeds, backend }) => {
      const session = await window.kiln.create(model, { backend });
      const wire: Record<string, KilnTensor> = {};
      for (const [name, t] of Object.entries(feeds)) wire[name] = { type: 'float32', dims: t.dims, data: Float32Array.from(t.data) };
      const out = await session.run(wire);
      const outputs: Record<string, { type: string; dims: number[]; data: number[]; arrayClass: string }> = {};
      for (const [name, t] of Object.entries(out)) outputs[name] = { type: t.type, dims: [...t.dims], data: Array.from(t.data as Float32Array), arrayClass: t.data.constructor.name };
      await session.destroy();
      return { inputs: session.inputs, outputs, backend: session.backend };
    },
    { model, feeds, backend },
  );
}

/** Feeds for a catalog model's first input with a fixed batch of 1. */
export function feedsFor(modelId: string, seed: number): Record<string, { dims: number[]; data: number[] }> {
  const dims = modelId === 'blazeface' ? [1, 128, 128, 3] : [1, 3, 48, 192];
  const name = modelId === 'blazeface' ? 'input:0' : 'x';
  return { [name]: { dims, data: deterministicFloats(dims.reduce((a, b) => a * b, 1), seed) } };
}

/** The popup channel's `models.status`, asked from an extension page as the popup does. */
export async function popupStatus(browser: LaunchedBrowser): Promise<ModelStatus[]> {
  const popup = await browser.context.newPage();
  await popup.goto(`chrome-extension://${browser.extensionId}/popup/index.html`);
  const reply = await popup.evaluate(
    () =>
      new Promise<{ kind: string; value: { models: ModelStatus[] } }>((resolve) => {
        const port = chrome.runtime.connect({ name: 'kiln-popup' });
        port.onMessage.addListener((m) => resolve(m));
        port.postMessage({ kind: 'models.status', id: 1 });
      }),
  );
  await popup.close();
  expect(reply.kind).toBe('result');
  return reply.value.models;
}
