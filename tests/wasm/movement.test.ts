// Data movement on the wasm backend against the reference, for several dtypes: Transpose,
// Concat, Split, Slice (negative steps), Pad in every mode, Gather with constant and computed
// indices, Expand, Tile, DepthToSpace/SpaceToDepth, and the layout choices around them: a conv's
// channels-last output read by each without a conversion, copies writing the layout their readers
// want, and the NHWC-input Transpose that becomes an alias.

import { describe, expect, it } from 'vitest';
import { lower } from '../../runtime/backends/wasm/lower';
import { importOnnx } from '../../runtime/onnx/import';
import { optimize } from '../../runtime/passes';
import { dataFrom, tensor, type DType, type Tensor } from '../../runtime/tensor';
import { buildModel, type IO, type NodeSpec } from '../fixtures/onnx-builder';
import { compareWithReference, f32, outN, rng, size } from './harness';

const data = (seed: number, dims: number[], type: DType = 'float32'): Tensor => {
  const v = rng(seed).floats(size(dims), 50);
  return tensor(type, dims, dataFrom(type, type === 'float32' ? v : Array.from(v, Math.round)));
};
const io = (name: string, type: DType, dims: number[]): IO => ({ name, type, dims });
const i64 = (v: number[]) => tensor('int64', [v.length], BigInt64Array.from(v.map(BigInt)));

async function single(op: string, x: Tensor, attrs: Record<string, number | number[] | string> = {}, extra: Record<string, Tensor> = {}, outRank = x.dims.length, opset = 18): Promise<void> {
  await compareWithReference({
    inputs: [io('x', x.type, [...x.dims])], outputs: [outN('y', outRank, x.type)],
    nodes: [{ op, inputs: ['x', ...Object.keys(extra)], outputs: ['y'], attrs }],
    initializers: extra, feeds: { x }, opset,
  });
}

describe('wasm movement', () => {
  for (const type of ['float32', 'int64', 'uint8', 'int32'] as DType[]) {
    it(`Transpose ${type}`, () => single('Transpose', data(1, [2, 3, 4, 5], type), { perm: [3, 1, 0, 2] }));
    it(`Slice with negative steps ${type}`, () => single('Slice', data(2, [6, 7, 5], type), {}, { starts: i64([5, 1]), ends: i64([0, -1]), axes: i64([0, 2]), steps: i64([-2, 2]) }));
    it(`Pad reflect ${type}`, () => single('Pad', data(3, [3, 4, 5], type), { mode: 'reflect' }, { pads: i64([0, 2, 1, 0, 3, 2]) }));
  }
  it('Pad constant with value, edge, wrap, and cropping', async () => {
    await single('Pad', data(4, [2, 3, 4]), { mode: 'constant' }, { pads: i64([1, 0, 2, 0, 1, -1]), value: tensor('float32', [], Float32Array.of(7)) });
    await single('Pad', data(5, [2, 3, 4]), { mode: 'edge' }, { pads: i64([0, 2, 1, 1, 0, 3]) });
    await single('Pad', data(6, [2, 3, 4]), { mode: 'wrap' }, { pads: i64([0, 2, 1, 1, 0, 3]) }, 3, 19);
  });
  it('Concat float32 and int64, middle axis', async () => {
    for (const type of ['float32', 'int64'] as DType[]) {
      await compareWithReference({
        inputs: [io('a', type, [2, 3, 4]), io('b', type, [2, 5, 4])], outputs: [outN('y', 3, type)],
        nodes: [{ op: 'Concat', inputs: ['a', 'b'], outputs: ['y'], attrs: { axis: 1 } }],
        feeds: { a: data(7, [2, 3, 4], type), b: data(8, [2, 5, 4], type) },
      });
    }
  });
  it('Split into uneven parts', async () => {
    await compareWithReference({
      inputs: [f32('x', [3, 10])], outputs: [outN('a', 2), outN('b', 2), outN('c', 2)],
      nodes: [{ op: 'Split', inputs: ['x', 's'], outputs: ['a', 'b', 'c'], attrs: { axis: 1 } }],
      initializers: { s: i64([2, 5, 3]) }, feeds: { x: data(9, [3, 10]) },
    });
  });
  it('Gather, constant negative indices and computed int32 indices', async () => {
    await single('Gather', data(10, [5, 4, 3]), { axis: 1 }, { k: i64([3, -1, 0]) });
    await compareWithReference({
      inputs: [f32('x', [5, 4]), io('k', 'int32', [2, 2])], outputs: [outN('y', 3)],
      nodes: [{ op: 'Gather', inputs: ['x', 'k'], outputs: ['y'], attrs: { axis: 0 } }],
      feeds: { x: data(11, [5, 4]), k: tensor('int32', [2, 2], Int32Array.of(4, 0, -2, 1)) },
    });
  });
  it('Expand and Tile', async () => {
    await single('Expand', data(12, [3, 1, 4]), {}, { s: i64([2, 3, 5, 4]) }, 4);
    await single('Tile', data(13, [2, 3], 'int32'), {}, { r: i64([3, 2]) });
  });
  it('DepthToSpace (DCR, CRD) and SpaceToDepth', async () => {
    await single('DepthToSpace', data(14, [1, 8, 3, 2]), { blocksize: 2 });
    await single('DepthToSpace', data(15, [2, 8, 2, 3]), { blocksize: 2, mode: 'CRD' });
    await single('SpaceToDepth', data(16, [1, 2, 4, 6]), { blocksize: 2 });
  });
});

describe('wasm layouts', () => {
  const r = rng(20);
  const w = tensor('float32', [6, 3, 3, 3], r.floats(162));
  const conv_ = (from: string, to: string): NodeSpec => ({ op: 'Conv', inputs: [from, 'w'], outputs: [to], attrs: { pads: [1, 1, 1, 1] } });
  const conv = conv_('x', 'c');
  const x = () => data(21, [2, 3, 5, 7]);
  const afterConv = async (nodes: NodeSpec[], outputs: IO[], extra: Record<string, Tensor> = {}) =>
    compareWithReference({ inputs: [f32('x', [2, 3, 5, 7])], outputs, nodes: [conv, ...nodes], initializers: { w, ...extra }, feeds: { x: x() } });

  it('a channels-last value read by Transpose, Slice, Reshape and Flatten', () => afterConv([
    { op: 'Transpose', inputs: ['c'], outputs: ['t'], attrs: { perm: [0, 2, 3, 1] } },
    { op: 'Slice', inputs: ['c', 'st', 'en', 'ax'], outputs: ['s'] },
    { op: 'Reshape', inputs: ['c', 'shape'], outputs: ['r'] },
    { op: 'Flatten', inputs: ['c'], outputs: ['f'], attrs: { axis: 2 } },
  ], [outN('t', 4), outN('s', 4), outN('r', 3), outN('f', 2)], { st: i64([1, 2]), en: i64([5, 6]), ax: i64([1, 3]), shape: i64([2, 6, -1]) }));
  it('Concat of channels-last values along channels, then a Pad', () => afterConv([
    { op: 'Relu', inputs: ['c'], outputs: ['a'] },
    { op: 'Concat', inputs: ['c', 'a'], outputs: ['k'], attrs: { axis: 1 } },
    { op: 'Pad', inputs: ['k', 'p'], outputs: ['y'], attrs: { mode: 'edge' } },
  ], [outN('y', 4)], { p: i64([0, 0, 1, 2, 0, 1, 0, 1]) }));
  it('convs writing straight into a Concat (a fire module), beside an input that is copied', async () => {
    const r2 = rng(23);
    await compareWithReference({
      inputs: [f32('x', [2, 3, 5, 7])], outputs: [outN('y', 4), outN('z', 4)],
      nodes: [
        conv,
        { op: 'Conv', inputs: ['c', 'e1'], outputs: ['a'] },
        { op: 'Relu', inputs: ['a'], outputs: ['ar'] },
        { op: 'Conv', inputs: ['c', 'e3'], outputs: ['b'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Concat', inputs: ['ar', 'b'], outputs: ['y'], attrs: { axis: 1 } },
        { op: 'Conv', inputs: ['c', 'e1'], outputs: ['d'] },
        { op: 'MaxPool', inputs: ['c'], outputs: ['m'], attrs: { kernel_shape: [1, 1] } },
        { op: 'Concat', inputs: ['m', 'd', 'x'], outputs: ['k'], attrs: { axis: 1 } },
        { op: 'Relu', inputs: ['k'], outputs: ['z'] },
      ],
      initializers: { w, e1: tensor('float32', [5, 6, 1, 1], r2.floats(30)), e3: tensor('float32', [7, 6, 3, 3], r2.floats(378)) },
      feeds: { x: x() },
    });
  });
  it('copies write the layout their readers want: a Slice of the input into a chain into a conv, a channel Pad into a conv', async () => {
    const w4 = tensor('float32', [4, 4, 3, 3], rng(24).floats(144));
    const c: Parameters<typeof compareWithReference>[0] = {
      inputs: [f32('x', [2, 3, 5, 7])], outputs: [outN('y', 4)],
      nodes: [
        { op: 'Slice', inputs: ['x', 'st', 'en', 'ax'], outputs: ['s'] },
        { op: 'Relu', inputs: ['s'], outputs: ['r'] },
        { op: 'Mul', inputs: ['r', 'r'], outputs: ['m'] },
        conv_('m', 'c'),
        { op: 'Pad', inputs: ['c', 'p'], outputs: ['k'] },
        { op: 'Conv', inputs: ['k', 'w4'], outputs: ['y'] },
      ],
      initializers: { w, w4, st: i64([1]), en: i64([6]), ax: i64([3]), p: i64([0, 0, 0, 0, 0, -2, 0, 0]) },
      feeds: { x: x() },
    };
    await compareWithReference(c);
    // in node order the Slice and the Pad would write plain, each then converted for its conv
    const model = importOnnx(buildModel({ ...c, opset: 18 }));
    const { model: m, types } = optimize(model, new Map([['x', [2, 3, 5, 7]]]));
    const conversions = lower(m, types).steps.filter((st) => st.kind === 'wasm' && st.node.op === 'LayoutConversion');
    expect(conversions.map((st) => st.node.name)).toEqual(['y→plain']);
  });
  it('an NHWC input transposed to NCHW for a conv, and the output back (aliases)', async () => {
    await compareWithReference({
      inputs: [f32('x', [1, 6, 5, 3])], outputs: [outN('y', 4)],
      nodes: [
        { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } },
        { op: 'Conv', inputs: ['t', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Transpose', inputs: ['c'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
      ],
      initializers: { w }, feeds: { x: data(22, [1, 6, 5, 3]) },
    });
  });
});
