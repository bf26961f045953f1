// WebGPU elementwise, cast, reduction, softmax and normalisation kernels checked directly against
// the reference backend on small models (Dawn on SwiftShader here: keep shapes small).

import { beforeAll, describe, expect, it } from 'vitest';
import { useDawn } from '../../cli/node-gpu';
import { InferenceSession } from '../../runtime/session';
import { tensor, type Tensor } from '../../runtime/tensor';
import { buildModel, type IO, type NodeSpec } from '../fixtures/onnx-builder';

type Feeds = Record<string, Tensor>;

function model(inputs: IO[], outputs: IO[], nodes: NodeSpec[], initializers?: Record<string, Tensor>, opset = 18): Uint8Array {
  return buildModel({ inputs, outputs, nodes, initializers, opset });
}

/** Runs on both backends (no CPU fallback on the GPU) and returns [gpu, reference] per output. */
async function both(bytes: Uint8Array, feeds: Feeds): Promise<[Tensor, Tensor][]> {
  const gpu = await InferenceSession.create(bytes, { backend: 'webgpu', noFallback: true });
  const ref = await InferenceSession.create(bytes, { backend: 'reference' });
  const [g, r] = [await gpu.run(feeds), await ref.run(feeds)];
  return Object.keys(r).map((k) => [g[k], r[k]]);
}

function expectClose(got: Tensor, want: Tensor, tol: number): void {
  expect(got.type).toBe(want.type);
  expect(got.dims).toEqual(want.dims);
  const a = Array.from(got.data as ArrayLike<number>, Number);
  const b = Array.from(want.data as ArrayLike<number>, Number);
  b.forEach((v, i) => expect(Math.abs(a[i] - v), `element ${i}: ${a[i]} vs ${v}`).toBeLessThanOrEqual(tol * (1 + Math.abs(v))));
}

/** Deterministic values in [-scale, scale). */
function values(n: number, scale = 3, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648 - 0.5) * 2 * scale;
  });
}

beforeAll(async () => {
  await useDawn();
});

describe('webgpu elementwise and reduction kernels', () => {
  it('computes Softmax, LayerNormalization and a fused Mul+Relu like the reference', async () => {
    const bytes = model(
      [{ name: 'x', type: 'float32', dims: [4, 37] }, { name: 's', type: 'float32', dims: [37] }],
      [{ name: 'p', type: 'float32', dims: [4, 37] }, { name: 'y', type: 'float32', dims: [4, 37] }, { name: 'r', type: 'float32', dims: [4, 37] }],
      [
        { op: 'Softmax', inputs: ['x'], outputs: ['p'], attrs: { axis: -1 } },
        { op: 'LayerNormalization', inputs: ['x', 's'], outputs: ['y'], attrs: { axis: -1, epsilon: 1e-5 } },
        { op: 'Mul', inputs: ['x', 's'], outputs: ['m'] },
        { op: 'Relu', inputs: ['m'], outputs: ['r'] },
      ],
    );
    const out = await both(bytes, { x: tensor('float32', [4, 37], values(148)), s: tensor('float32', [37], values(37, 1, 7)) });
    for (const [g, r] of out) expectClose(g, r, 1e-5);
  });

  it('reduces over constant axes with more elements than a workgroup, and ArgMax picks the last tie', async () => {
    const bytes = model(
      [{ name: 'x', type: 'float32', dims: [3, 5, 300] }, { name: 't', type: 'int32', dims: [2, 6] }],
      [{ name: 'sum', type: 'float32', dims: [5] }, { name: 'lse', type: 'float32', dims: [3, 1, 1] }, { name: 'am', type: 'int64', dims: [2] }],
      [
        { op: 'ReduceSum', inputs: ['x', 'axes02'], outputs: ['sum'], attrs: { keepdims: 0 } },
        { op: 'ReduceLogSumExp', inputs: ['x', 'axes12'], outputs: ['lse'] },
        { op: 'ArgMax', inputs: ['t'], outputs: ['am'], attrs: { axis: 1, keepdims: 0, select_last_index: 1 } },
      ],
      {
        axes02: tensor('int64', [2], new BigInt64Array([0n, 2n])),
        axes12: tensor('int64', [2], new BigInt64Array([1n, -1n])),
      },
    );
    const t = tensor('int32', [2, 6], new Int32Array([1, 7, 3, 7, 0, 2, -5, -1, -1, -9, -3, -1]));
    const out = await both(bytes, { x: tensor('float32', [3, 5, 300], values(4500)), t });
    for (const [g, r] of out) expectClose(g, r, 1e-5);
    expect(Array.from(out[2][0].data as BigInt64Array)).toEqual([3n, 5n]);
  });

  it('reduces many short groups one invocation each (ReduceMean, ReduceMax over a last axis of 3)', async () => {
    const bytes = model(
      [{ name: 'x', type: 'float32', dims: [64, 8, 3] }],
      [{ name: 'mean', type: 'float32', dims: [64, 8, 1] }, { name: 'max', type: 'float32', dims: [64, 8] }],
      [
        { op: 'ReduceMean', inputs: ['x', 'last'], outputs: ['mean'] },
        { op: 'ReduceMax', inputs: ['x', 'last'], outputs: ['max'], attrs: { keepdims: 0 } },
      ],
      { last: tensor('int64', [1], new BigInt64Array([-1n])) },
    );
    for (const [g, r] of await both(bytes, { x: tensor('float32', [64, 8, 3], values(1536)) })) expectClose(g, r, 1e-6);
  });

  it('splits long reductions over few groups across workgroups (ReduceSum, ReduceL2, ReduceMax)', async () => {
    const bytes = model(
      [{ name: 'x', type: 'float32', dims: [2, 20000] }],
      [{ name: 'sum', type: 'float32', dims: [2, 1] }, { name: 'l2', type: 'float32', dims: [2, 1] }, { name: 'max', type: 'float32', dims: [2, 1] }],
      [
        { op: 'ReduceSum', inputs: ['x', 'ax'], outputs: ['sum'] },
        { op: 'ReduceL2', inputs: ['x', 'ax'], outputs: ['l2'] },
        { op: 'ReduceMax', inputs: ['x', 'ax'], outputs: ['max'] },
      ],
      { ax: tensor('int64', [1], new BigInt64Array([1n])) },
    );
    for (const [g, r] of await both(bytes, { x: tensor('float32', [2, 20000], values(40000)) })) expectClose(g, r, 1e-5);
  });

  it('casts like ONNX: floats truncate, negatives wrap into unsigned, anything non-zero is true', async () => {
    const io = (name: string, type: IO['type']): IO => ({ name, type, dims: [6] });
    const bytes = model(
      [io('x', 'float32')],
      [io('i', 'int32'), io('u', 'uint8'), io('b', 'bool'), io('h', 'float16')],
      [
        { op: 'Cast', inputs: ['x'], outputs: ['i'], attrs: { to: 6 } },
        { op: 'Cast', inputs: ['x'], outputs: ['u'], attrs: { to: 2 } },
        { op: 'Cast', inputs: ['x'], outputs: ['b'], attrs: { to: 9 } },
        { op: 'Cast', inputs: ['x'], outputs: ['h'], attrs: { to: 10 } },
      ],
    );
    const x = tensor('float32', [6], new Float32Array([-2.7, -0.5, 0, 0.5, 3.9, 1000.3]));
    for (const [g, r] of await both(bytes, { x })) expect(Array.from(g.data as ArrayLike<number>)).toEqual(Array.from(r.data as ArrayLike<number>));
  });

  it('runs integer Mod (Python and C signs), BitShift and Where exactly', async () => {
    const bytes = model(
      [{ name: 'a', type: 'int32', dims: [6] }, { name: 'b', type: 'int32', dims: [6] }, { name: 'u', type: 'uint32', dims: [6] }, { name: 'c', type: 'bool', dims: [6] }],
      [{ name: 'm', type: 'int32', dims: [6] }, { name: 'f', type: 'int32', dims: [6] }, { name: 's', type: 'uint32', dims: [6] }, { name: 'w', type: 'int32', dims: [6] }],
      [
        { op: 'Mod', inputs: ['a', 'b'], outputs: ['m'] },
        { op: 'Mod', inputs: ['a', 'b'], outputs: ['f'], attrs: { fmod: 1 } },
        { op: 'BitShift', inputs: ['u', 'u'], outputs: ['s'], attrs: { direction: 'LEFT' } },
        { op: 'Where', inputs: ['c', 'a', 'b'], outputs: ['w'] },
      ],
    );
    const feeds = {
      a: tensor('int32', [6], new Int32Array([7, -7, 7, -7, 0, 5])),
      b: tensor('int32', [6], new Int32Array([3, 3, -3, -3, 4, 1])),
      u: tensor('uint32', [6], new Uint32Array([0, 1, 2, 3, 31, 33])),
      c: tensor('bool', [6], new Uint8Array([1, 0, 1, 0, 1, 0])),
    };
    for (const [g, r] of await both(bytes, feeds)) expect(Array.from(g.data as ArrayLike<number>)).toEqual(Array.from(r.data as ArrayLike<number>));
  });
});
