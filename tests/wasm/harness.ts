// What the WebAssembly kernel tests share: a seeded generator, and a check that runs a small
// model on the wasm backend with no fallback (every node a kernel) and on the reference backend,
// and compares the outputs relative to their scale.

import { expect } from 'vitest';
import { useWasmKernels } from '../../cli/node-wasm';
import { InferenceSession } from '../../runtime/session';
import { toNumbers, type Tensor } from '../../runtime/tensor';
import { buildModel, type IO, type NodeSpec } from '../fixtures/onnx-builder';

export type Feeds = Record<string, Tensor>;

export { rng } from '../fixtures/rng';

export const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
export const f32 = (name: string, dims: (number | string)[]): IO => ({ name, type: 'float32', dims });
/** An output whose dims the model leaves symbolic (the passes infer them). */
export const outN = (name: string, rank: number, type: IO['type'] = 'float32'): IO => ({ name, type, dims: Array.from({ length: rank }, (_, i) => `${name}${i}`) });

export interface Case {
  readonly inputs: IO[];
  readonly outputs: IO[];
  readonly nodes: NodeSpec[];
  readonly initializers?: Record<string, Tensor>;
  readonly feeds: Feeds;
  readonly opset?: number;
  /** max |diff| / output scale */
  readonly tol?: number;
}

/** Runs the case on wasm (no fallback) and on the reference backend; outputs must agree. */
export async function compareWithReference(c: Case): Promise<void> {
  await useWasmKernels();
  const bytes = buildModel({ inputs: c.inputs, outputs: c.outputs, nodes: c.nodes, initializers: c.initializers, opset: c.opset ?? 18 });
  const wasm = await InferenceSession.create(bytes, { backend: 'wasm', noFallback: true });
  const ref = await InferenceSession.create(bytes, { backend: 'reference' });
  const [got, want] = [await wasm.run(c.feeds), await ref.run(c.feeds)];
  for (const k of Object.keys(want)) {
    expect(got[k].dims, k).toEqual(want[k].dims);
    expect(got[k].type, k).toBe(want[k].type);
    const a = toNumbers(got[k]), b = toNumbers(want[k]);
    let scale = 1e-6, worst = 0;
    for (const v of b) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < b.length; i++) {
      const same = a[i] === b[i] || (Number.isNaN(a[i]) && Number.isNaN(b[i]));
      worst = Math.max(worst, same ? 0 : Number.isFinite(b[i]) ? Math.abs(a[i] - b[i]) : Infinity);
    }
    expect(worst / scale, `${k}: max abs diff ${worst} at output scale ${scale}`).toBeLessThanOrEqual(c.tol ?? 1e-5);
  }
}
