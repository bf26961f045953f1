// Real models on the reference backend match onnxruntime-node on the same input: trained catalog
// models within max abs 1e-4, the random-weight benchmark models within 1e-4 of their output scale.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { CATALOG } from '../models/catalog';
import { readCatalogModel } from '../models/copy-models';
import { InferenceSession } from '../runtime/session';
import { tensor, type Tensor } from '../runtime/tensor';
import { maxAbsDiff, MODEL_MAX_ABS } from '../cli/compare';
import { SHARED_DIR } from './conformance/suite';

/** A deterministic input in [-1, 1) for a float32 input of the given dims. */
function input(dims: number[]): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return tensor('float32', dims, data);
}

/** Largest absolute difference from onnxruntime-node over all outputs, and the outputs' scale (max |value|). */
async function compareWithOrt(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<{ maxAbs: number; scale: number }> {
  const kiln = await InferenceSession.create(bytes);
  const got = await kiln.run(feeds);
  const ref = await ort.InferenceSession.create(bytes);
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, new ort.Tensor('float32', t.data as Float32Array, t.dims)]));
  const want = await ref.run(ortFeeds);
  let worst = 0;
  let scale = 0;
  for (const name of ref.outputNames) {
    const w = want[name];
    const g = got[name];
    expect(g.dims).toEqual(w.dims);
    worst = Math.max(worst, maxAbsDiff(g, tensor('float32', w.dims, w.data as Float32Array)));
    for (const v of w.data as Float32Array) scale = Math.max(scale, Math.abs(v));
  }
  return { maxAbs: worst, scale };
}

const concrete = (dims: readonly (number | string)[]) => dims.map((d) => (typeof d === 'number' ? d : 1));

describe('real models match onnxruntime-node', () => {
  for (const m of CATALOG) {
    it(`catalog model ${m.id}`, async () => {
      const feeds = Object.fromEntries(m.inputs.map((i) => [i.name, input(concrete(i.dims))]));
      const { maxAbs, scale } = await compareWithOrt(readCatalogModel(m), feeds);
      expect(scale).toBeGreaterThan(1e-3); // a real signal, so the absolute bound means something
      expect(maxAbs).toBeLessThanOrEqual(MODEL_MAX_ABS);
    }, 120_000);
  }
  for (const file of ['squeezenet1_1.onnx', 'mobilenet_v2.onnx']) {
    it(`benchmark model ${file}`, async () => {
      const bytes = readFileSync(join(SHARED_DIR, 'models', file));
      // Seeded random weights give logits near 1e-9: hold them to the bound relative to their scale.
      const { maxAbs, scale } = await compareWithOrt(bytes, { input: input([1, 3, 224, 224]) });
      expect(scale).toBeGreaterThan(0);
      expect(maxAbs).toBeLessThanOrEqual(MODEL_MAX_ABS * scale);
    }, 300_000);
  }
});
