// WebGPU data-movement kernels (index maps) checked directly against the reference backend on
// small models (Dawn on SwiftShader here: keep shapes small). Movement copies words: results must
// be exact.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDawn } from '../../cli/node-gpu';
import { InferenceSession } from '../../runtime/session';
import { tensor, type Tensor } from '../../runtime/tensor';
import { buildModel, type IO, type NodeSpec } from '../fixtures/onnx-builder';

type Feeds = Record<string, Tensor>;

const i64 = (dims: number[], v: number[]): Tensor => tensor('int64', dims, BigInt64Array.from(v, (x) => BigInt(x)));
const f32 = (dims: number[]): Tensor => tensor('float32', dims, Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => i * 0.5 - 3));

/** Runs on both backends (no CPU fallback on the GPU) and checks every output is identical. */
async function sameAsReference(inputs: IO[], outputs: IO[], nodes: NodeSpec[], feeds: Feeds, initializers?: Record<string, Tensor>, opset = 18): Promise<void> {
  const bytes = buildModel({ inputs, outputs, nodes, initializers, opset });
  const gpu = await InferenceSession.create(bytes, { backend: 'webgpu', noFallback: true });
  const ref = await InferenceSession.create(bytes, { backend: 'reference' });
  const [g, r] = [await gpu.run(feeds), await ref.run(feeds)];
  for (const k of Object.keys(r)) {
    expect(g[k].type, k).toBe(r[k].type);
    expect(g[k].dims, k).toEqual(r[k].dims);
    expect(Array.from(g[k].data as ArrayLike<number | bigint>, Number), k).toEqual(Array.from(r[k].data as ArrayLike<number | bigint>, Number));
  }
}

beforeAll(async () => {
  await useDawn();
});

describe('webgpu movement kernels', () => {
  it('slices with negative steps and pads in every mode from constant inputs', async () => {
    const x = { name: 'x', type: 'float32' as const, dims: [3, 5] };
    await sameAsReference(
      [x],
      ['s', 'pc', 'pr', 'pe', 'pw'].map((name) => ({ name, type: 'float32' as const, dims: [] as number[] })),
      [
        { op: 'Slice', inputs: ['x', 'st', 'en', 'ax', 'sp'], outputs: ['s'] },
        { op: 'Pad', inputs: ['x', 'pads', 'cv'], outputs: ['pc'], attrs: { mode: 'constant' } },
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['pr'], attrs: { mode: 'reflect' } },
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['pe'], attrs: { mode: 'edge' } },
        { op: 'Pad', inputs: ['x', 'pads'], outputs: ['pw'], attrs: { mode: 'wrap' } },
      ],
      { x: f32([3, 5]) },
      {
        st: i64([2], [-1, 4]), en: i64([2], [-100, 0]), ax: i64([2], [1, 0]), sp: i64([2], [-2, -1]),
        pads: i64([4], [1, 2, 2, -1]), cv: tensor('float32', [], Float32Array.of(7.5)),
      },
    );
  });

  it('concatenates many int32 inputs, splits, tiles, expands and transposes', async () => {
    const names = Array.from({ length: 9 }, (_, i) => `a${i}`);
    const feeds = Object.fromEntries(names.map((n, i) => [n, tensor('int32', [2, i % 3 + 1], Int32Array.from({ length: 2 * (i % 3 + 1) }, (_, j) => i * 100 + j))]));
    await sameAsReference(
      names.map((name, i) => ({ name, type: 'int32' as const, dims: [2, i % 3 + 1] })),
      ['c', 's0', 's1', 's2', 't', 'e', 'p'].map((name) => ({ name, type: 'int32' as const, dims: [] as number[] })),
      [
        { op: 'Concat', inputs: names, outputs: ['c'], attrs: { axis: -1 } },
        { op: 'Split', inputs: ['c', 'sizes'], outputs: ['s0', 's1', 's2'], attrs: { axis: 1 } },
        { op: 'Tile', inputs: ['a1', 'reps'], outputs: ['t'] },
        { op: 'Expand', inputs: ['a0', 'shape'], outputs: ['e'] },
        { op: 'Transpose', inputs: ['e'], outputs: ['p'], attrs: { perm: [2, 0, 1] } },
      ],
      feeds,
      { sizes: i64([3], [5, 0, 13]), reps: i64([2], [3, 2]), shape: i64([3], [4, 2, 3]) },
    );
  });

  it('gathers and scatters at indices fed at run time (negative ones wrap)', async () => {
    await sameAsReference(
      [
        { name: 'x', type: 'float32', dims: [4, 3] },
        { name: 'i', type: 'int64', dims: [2, 2] },
        { name: 'nd', type: 'int64', dims: [3, 1] },
        { name: 'u', type: 'float32', dims: [3, 3] },
      ],
      ['g', 'ge', 'gn', 'sn', 'se', 'oh'].map((name) => ({ name, type: 'float32' as const, dims: [] as number[] })),
      [
        { op: 'Gather', inputs: ['x', 'i'], outputs: ['g'], attrs: { axis: 0 } },
        { op: 'GatherElements', inputs: ['x', 'i'], outputs: ['ge'], attrs: { axis: 1 } },
        { op: 'GatherND', inputs: ['x', 'nd'], outputs: ['gn'] },
        { op: 'ScatterND', inputs: ['x', 'nd', 'u'], outputs: ['sn'], attrs: { reduction: 'add' } },
        { op: 'ScatterElements', inputs: ['x', 'i', 'u2'], outputs: ['se'], attrs: { axis: 1 } },
        { op: 'OneHot', inputs: ['i', 'depth', 'vals'], outputs: ['oh'], attrs: { axis: 1 } },
      ],
      {
        x: f32([4, 3]), i: i64([2, 2], [-1, 2, 0, -3]), nd: i64([3, 1], [1, -1, 1]),
        u: tensor('float32', [3, 3], Float32Array.from({ length: 9 }, (_, k) => k + 10)),
      },
      { u2: tensor('float32', [2, 2], Float32Array.of(-1, -2, -3, -4)), depth: i64([], [3]), vals: tensor('float32', [2], Float32Array.of(0.25, 4)) },
    );
  });

  it('rearranges depth and space, keeps triangles and makes identities', async () => {
    await sameAsReference(
      [{ name: 'x', type: 'float32', dims: [1, 8, 2, 3] }, { name: 'm', type: 'int32', dims: [3, 4] }],
      ['d', 's', 'tr', 'ey'].map((name) => ({ name, type: 'float32' as const, dims: [] as number[] })),
      [
        { op: 'DepthToSpace', inputs: ['x'], outputs: ['d'], attrs: { blocksize: 2, mode: 'CRD' } },
        { op: 'SpaceToDepth', inputs: ['d'], outputs: ['s'], attrs: { blocksize: 2 } },
        { op: 'Trilu', inputs: ['x', 'k'], outputs: ['tr'], attrs: { upper: 0 } },
        { op: 'Shape', inputs: ['x'], outputs: ['sh'] },
        { op: 'EyeLike', inputs: ['m'], outputs: ['ey'], attrs: { k: 1 } },
      ],
      { x: f32([1, 8, 2, 3]), m: tensor('int32', [3, 4], new Int32Array(12)) },
      { k: i64([], [1]) },
    );
  });

  it('reads Slice and Pad attributes (opset 9) and moves narrow and bool dtypes', async () => {
    await sameAsReference(
      [{ name: 'x', type: 'int8', dims: [2, 3, 4] }, { name: 'b', type: 'bool', dims: [2, 3] }, { name: 'i', type: 'int32', dims: [2] }],
      [{ name: 's', type: 'int8', dims: [] }, { name: 'p', type: 'int8', dims: [] }, { name: 'g', type: 'bool', dims: [] }, { name: 'c', type: 'bool', dims: [] }],
      [
        { op: 'Slice', inputs: ['x'], outputs: ['s'], attrs: { starts: [1, -3], ends: [100, -1], axes: [2, 1] } },
        { op: 'Pad', inputs: ['x'], outputs: ['p'], attrs: { pads: [0, 1, 0, 1, 0, 2], value: -5 } },
        { op: 'Gather', inputs: ['b', 'i'], outputs: ['g'], attrs: { axis: 1 } },
        { op: 'Concat', inputs: ['b', 'g'], outputs: ['c'], attrs: { axis: 1 } },
      ],
      {
        x: tensor('int8', [2, 3, 4], Int8Array.from({ length: 24 }, (_, k) => k * 11 - 128)),
        b: tensor('bool', [2, 3], Uint8Array.of(1, 0, 0, 1, 1, 0)),
        i: tensor('int32', [2], Int32Array.of(-1, 1)),
      },
      undefined,
      9,
    );
  });

  it('scatters many index tuples directly (ScatterND without reduction)', async () => {
    const rows = Array.from({ length: 100 }, (_, k) => (k * 37) % 128 - (k % 2 ? 128 : 0));
    await sameAsReference(
      [{ name: 'x', type: 'float32', dims: [128, 3] }, { name: 'i', type: 'int64', dims: [100, 1] }, { name: 'u', type: 'float32', dims: [100, 3] }],
      [{ name: 'y', type: 'float32', dims: [128, 3] }],
      [{ op: 'ScatterND', inputs: ['x', 'i', 'u'], outputs: ['y'] }],
      { x: f32([128, 3]), i: i64([100, 1], rows), u: tensor('float32', [100, 3], Float32Array.from({ length: 300 }, (_, k) => 1000 + k)) },
    );
  });

  it('passes an initializer through Identity and Transpose', async () => {
    await sameAsReference(
      [{ name: 'x', type: 'float32', dims: [2, 3] }],
      [{ name: 'y', type: 'float32', dims: [2, 3] }, { name: 'z', type: 'float32', dims: [3, 2] }, { name: 's', type: 'float32', dims: [2, 3] }],
      [
        { op: 'Identity', inputs: ['w'], outputs: ['y'] },
        { op: 'Transpose', inputs: ['w'], outputs: ['z'] },
        { op: 'Add', inputs: ['x', 'y'], outputs: ['s'] },
      ],
      { x: f32([2, 3]) },
      { w: tensor('float32', [2, 3], Float32Array.of(1, 2, 3, 4, 5, 6)) },
    );
  });
});
