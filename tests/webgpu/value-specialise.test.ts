// Plans specialised on shape operands fed at run time (Reshape's shape, Resize's scales, Reduce
// axes): each value compiles its own plan, with no CPU fallback, and matches the reference backend.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDawn } from '../../cli/node-gpu';
import { webgpuBackend, type WebGpuExecutable } from '../../runtime/backends/webgpu';
import { importOnnx } from '../../runtime/onnx/import';
import { InferenceSession } from '../../runtime/session';
import { tensor, type Tensor } from '../../runtime/tensor';
import { buildModel } from '../fixtures/onnx-builder';

const i64 = (v: number[]): Tensor => tensor('int64', [v.length], BigInt64Array.from(v, BigInt));
const f32 = (dims: number[]): Tensor => tensor('float32', dims, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.25 - 1));

/** y = Reshape(x, shape); z = ReduceMax(Resize(x4, scales), Cast(axes)). */
const bytes = buildModel({
  inputs: [
    { name: 'x', type: 'float32', dims: [2, 6] },
    { name: 'shape', type: 'int64', dims: [2] },
    { name: 'x4', type: 'float32', dims: [1, 1, 2, 3] },
    { name: 'scales', type: 'float32', dims: [4] },
    { name: 'axes', type: 'int32', dims: [1] },
  ],
  outputs: [{ name: 'y', type: 'float32', dims: ['a', 'b'] }, { name: 'z', type: 'float32', dims: ['c', 'd', 'e'] }],
  nodes: [
    { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['y'] },
    { op: 'Resize', inputs: ['x4', '', 'scales'], outputs: ['r'], attrs: { mode: 'linear' } },
    { op: 'Cast', inputs: ['axes'], outputs: ['axes64'], attrs: { to: 7 } },
    { op: 'ReduceMax', inputs: ['r', 'axes64'], outputs: ['z'], attrs: { keepdims: 0 } },
  ],
  opset: 18,
});

beforeAll(async () => {
  await useDawn();
});

describe('webgpu plans specialised on shape-operand values', () => {
  it('compiles one plan per value and matches the reference for each', async () => {
    const gpu = await InferenceSession.create(bytes, { backend: 'webgpu', noFallback: true });
    const ref = await InferenceSession.create(bytes, { backend: 'reference' });
    const cases = [
      { shape: i64([3, -1]), scales: tensor('float32', [4], Float32Array.of(1, 1, 2, 1.5)), axes: tensor('int32', [1], Int32Array.of(-1)) },
      { shape: i64([12, 1]), scales: tensor('float32', [4], Float32Array.of(1, 1, 0.5, 2)), axes: tensor('int32', [1], Int32Array.of(2)) },
    ];
    for (const c of cases) {
      const feeds = { x: f32([2, 6]), x4: f32([1, 1, 2, 3]), ...c };
      const [g, r] = [await gpu.run(feeds), await ref.run(feeds)];
      for (const k of ['y', 'z']) {
        expect(g[k].dims, k).toEqual(r[k].dims);
        const [a, b] = [Array.from(g[k].data as Float32Array), Array.from(r[k].data as Float32Array)];
        a.forEach((v, i) => expect(Math.abs(v - b[i]), `${k}[${i}]`).toBeLessThan(1e-5));
      }
    }
  });

  it('keys plans by value: the same value reuses its plan, another compiles anew', async () => {
    const exec = (await webgpuBackend({ noFallback: true }).prepare(importOnnx(bytes))) as WebGpuExecutable;
    expect(exec.valueInputs).toEqual(['shape', 'scales', 'axes']);
    const shapes = new Map([['x', [2, 6]], ['shape', [2]], ['x4', [1, 1, 2, 3]], ['scales', [4]], ['axes', [1]]]);
    const values = (s: number[]) => new Map<string, Tensor>([['shape', i64(s)], ['scales', tensor('float32', [4], Float32Array.of(1, 1, 1, 1))], ['axes', tensor('int32', [1], Int32Array.of(0))]]);
    const a = await exec.compile(shapes, values([4, 3]));
    expect(await exec.compile(shapes, values([4, 3]))).toBe(a);
    const b = await exec.compile(shapes, values([6, 2]));
    expect(b).not.toBe(a);
    expect(b.report.fallbacks).toEqual([]);
    // Without the values the shapes are unknown: with noFallback that is an error, not a wrong plan.
    await expect(exec.compile(shapes)).rejects.toThrow(/not known at compile time/);
  });
});
