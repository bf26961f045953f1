// Index-driven kernels, losses, quantization and Attention on the wasm backend against the
// reference: GatherElements, ScatterElements (with reductions), ScatterND, OneHot, Trilu (k fed at
// run time), CumSum/CumProd (axis fed at run time), TopK, Hardmax, LpNormalization, the NLL and
// softmax cross-entropy losses, Quantize/DequantizeLinear per tensor, per axis and blocked, and
// Attention in its 3-D, 4-D, masked, causal, grouped-query and cached forms.

import { describe, it } from 'vitest';
import { dataFrom, tensor, type DType, type Tensor } from '../../runtime/tensor';
import type { IO, NodeSpec } from '../fixtures/onnx-builder';
import { compareWithReference, f32, outN, rng, size } from './harness';

const io = (name: string, type: DType, dims: (number | string)[]): IO => ({ name, type, dims });
const data = (seed: number, dims: number[], scale = 2) => tensor('float32', dims, rng(seed).floats(size(dims), scale));
const i64 = (dims: number[], v: number[]) => tensor('int64', dims, BigInt64Array.from(v.map(BigInt)));

describe('wasm index-driven kernels', () => {
  it('GatherElements, negative indices', () => compareWithReference({
    inputs: [f32('x', [3, 4])], outputs: [outN('y', 2)],
    nodes: [{ op: 'GatherElements', inputs: ['x', 'k'], outputs: ['y'], attrs: { axis: 1 } }],
    initializers: { k: i64([3, 2], [0, -1, 2, 1, 3, 0]) }, feeds: { x: data(1, [3, 4]) },
  }));
  for (const reduction of ['none', 'add', 'mul', 'max', 'min']) {
    it(`ScatterElements, reduction ${reduction}`, () => compareWithReference({
      inputs: [f32('x', [3, 4]), f32('u', [2, 4])], outputs: [outN('y', 2)],
      nodes: [{ op: 'ScatterElements', inputs: ['x', 'k', 'u'], outputs: ['y'], attrs: { axis: 0, reduction } }],
      initializers: { k: i64([2, 4], [0, 2, 1, 0, 2, 1, 0, 2]) }, feeds: { x: data(2, [3, 4]), u: data(3, [2, 4]) },
    }));
  }
  it('ScatterND with add', () => compareWithReference({
    inputs: [f32('x', [4, 3, 2]), f32('u', [2, 3, 2])], outputs: [outN('y', 3)],
    nodes: [{ op: 'ScatterND', inputs: ['x', 'k', 'u'], outputs: ['y'], attrs: { reduction: 'add' } }],
    initializers: { k: i64([2, 1], [1, -1]) }, feeds: { x: data(4, [4, 3, 2]), u: data(5, [2, 3, 2]) },
  }));
  it('OneHot on a middle axis', () => compareWithReference({
    inputs: [io('k', 'int64', [2, 3])], outputs: [outN('y', 3)],
    nodes: [{ op: 'OneHot', inputs: ['k', 'depth', 'v'], outputs: ['y'], attrs: { axis: 1 } }],
    initializers: { depth: tensor('float32', [], Float32Array.of(4)), v: tensor('float32', [2], Float32Array.of(-1, 5)) },
    feeds: { k: i64([2, 3], [0, 3, -1, 2, 7, 1]) },
  }));
  it('Trilu, upper and lower, k fed at run time', async () => {
    for (const upper of [1, 0]) {
      await compareWithReference({
        inputs: [f32('x', [2, 4, 5]), io('k', 'int64', [])], outputs: [outN('y', 3)],
        nodes: [{ op: 'Trilu', inputs: ['x', 'k'], outputs: ['y'], attrs: { upper } }],
        feeds: { x: data(6, [2, 4, 5]), k: i64([], [-1]) },
      });
    }
  });
  it('CumSum exclusive reversed, axis fed at run time; CumProd on int32', async () => {
    await compareWithReference({
      inputs: [f32('x', [3, 5]), io('a', 'int32', [])], outputs: [outN('y', 2)],
      nodes: [{ op: 'CumSum', inputs: ['x', 'a'], outputs: ['y'], attrs: { exclusive: 1, reverse: 1 } }],
      feeds: { x: data(7, [3, 5]), a: tensor('int32', [], Int32Array.of(-1)) },
    });
    await compareWithReference({
      inputs: [io('x', 'int32', [4, 3])], outputs: [outN('y', 2, 'int32')],
      nodes: [{ op: 'CumProd', inputs: ['x', 'a'], outputs: ['y'] }],
      initializers: { a: i64([], [0]) }, feeds: { x: tensor('int32', [4, 3], Int32Array.from({ length: 12 }, (_, i) => (i % 5) - 2)) }, opset: 26,
    });
  });
  it('TopK largest and smallest, with ties', async () => {
    const x = tensor('float32', [2, 7], Float32Array.of(3, 1, 3, 2, 5, 5, 0, -1, 4, 4, 2, 8, -3, 4));
    for (const largest of [1, 0]) {
      await compareWithReference({
        inputs: [f32('x', [2, 7])], outputs: [outN('v', 2), outN('i', 2, 'int64')],
        nodes: [{ op: 'TopK', inputs: ['x', 'k'], outputs: ['v', 'i'], attrs: { axis: 1, largest } }],
        initializers: { k: i64([1], [3]) }, feeds: { x },
      });
    }
  });
  it('Hardmax and LpNormalization', async () => {
    await compareWithReference({ inputs: [f32('x', [3, 4, 5])], outputs: [outN('y', 3)], nodes: [{ op: 'Hardmax', inputs: ['x'], outputs: ['y'], attrs: { axis: 1 } }], feeds: { x: data(8, [3, 4, 5]) } });
    for (const p of [1, 2]) {
      await compareWithReference({ inputs: [f32('x', [3, 4, 5])], outputs: [outN('y', 3)], nodes: [{ op: 'LpNormalization', inputs: ['x'], outputs: ['y'], attrs: { axis: 1, p } }], feeds: { x: data(9, [3, 4, 5]) } });
    }
  });
});

describe('wasm losses and quantization', () => {
  for (const reduction of ['none', 'sum', 'mean']) {
    it(`NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, ${reduction}, weights, ignore_index`, async () => {
      const t = i64([2, 3], [0, 4, 2, 1, 3, 4]);
      for (const op of ['NegativeLogLikelihoodLoss', 'SoftmaxCrossEntropyLoss']) {
        await compareWithReference({
          inputs: [f32('x', [2, 5, 3]), io('t', 'int64', [2, 3])], outputs: op === 'SoftmaxCrossEntropyLoss' ? [outN('y', reduction === 'none' ? 2 : 0), outN('p', 3)] : [outN('y', reduction === 'none' ? 2 : 0)],
          nodes: [{ op, inputs: ['x', 't', 'w'], outputs: op === 'SoftmaxCrossEntropyLoss' ? ['y', 'p'] : ['y'], attrs: { reduction, ignore_index: 4 } }],
          initializers: { w: data(10, [5], 1) }, feeds: { x: data(11, [2, 5, 3]), t },
        });
      }
    });
  }
  it('QuantizeLinear and DequantizeLinear: per tensor (uint8), per axis (int8), blocked (int16)', async () => {
    const cases: [DType, number[], Record<string, number>][] = [['uint8', [1], {}], ['int8', [4], { axis: 1 }], ['int16', [3, 2], { axis: 1, block_size: 2 }]];
    for (const [type, sDims, attrs] of cases) {
      const scale = tensor('float32', sDims, Float32Array.from({ length: size(sDims) }, (_, i) => 0.05 + 0.02 * i));
      const zp = tensor(type, sDims, dataFrom(type, Array.from({ length: size(sDims) }, (_, i) => (i % 3) - (type === 'uint8' ? -100 : 1))));
      await compareWithReference({
        inputs: [f32('x', [3, 4])], outputs: [outN('q', 2, type), outN('y', 2)],
        nodes: [{ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'], attrs }, { op: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['y'], attrs }],
        initializers: { s: scale, z: zp }, feeds: { x: data(12, [3, 4], 8) }, opset: 21,
      });
    }
  });
});

describe('wasm Attention', () => {
  const run = (q: number[], k: number[], v: number[], attrs: Record<string, number>, extra: { mask?: Tensor; past?: [number[], number[]] } = {}) => {
    const inputs = [f32('q', q), f32('k', k), f32('v', v)];
    const names = ['q', 'k', 'v'];
    const feeds: Record<string, Tensor> = { q: data(20, q), k: data(21, k), v: data(22, v) };
    if (extra.mask) {
      inputs.push(io('m', extra.mask.type, [...extra.mask.dims]));
      names.push('m');
      feeds.m = extra.mask;
    } else if (extra.past) names.push('');
    const outs = ['y'];
    if (extra.past) {
      inputs.push(f32('pk', extra.past[0]), f32('pv', extra.past[1]));
      names.push('pk', 'pv');
      feeds.pk = data(23, extra.past[0]);
      feeds.pv = data(24, extra.past[1]);
      outs.push('ck', 'cv');
    }
    const nodes: NodeSpec[] = [{ op: 'Attention', inputs: names, outputs: outs, attrs }];
    return compareWithReference({ inputs, outputs: outs.map((o) => outN(o, o === 'y' ? q.length : 4)), nodes, feeds, opset: 23 });
  };
  it('4-D, scaled, softcap', () => run([2, 3, 4, 8], [2, 3, 6, 8], [2, 3, 6, 5], { scale: 0.3, softcap: 2 }));
  it('3-D with grouped-query heads and causal masking', () => run([1, 5, 4 * 6], [1, 5, 2 * 6], [1, 5, 2 * 7], { q_num_heads: 4, kv_num_heads: 2, is_causal: 1 }));
  it('float mask broadcast over heads, and a bool mask shorter than the keys', async () => {
    await run([2, 2, 3, 4], [2, 2, 5, 4], [2, 2, 5, 4], {}, { mask: data(25, [2, 1, 3, 5]) });
    await run([1, 2, 3, 4], [1, 2, 5, 4], [1, 2, 5, 4], {}, { mask: tensor('bool', [3, 4], Uint8Array.of(1, 0, 1, 1, 0, 0, 0, 0, 1, 1, 0, 1)) });
  });
  it('past keys and values with present outputs, causal', () => run([1, 2, 2, 4], [1, 2, 2, 4], [1, 2, 2, 4], { is_causal: 1 }, { past: [[1, 2, 3, 4], [1, 2, 3, 4]] }));
});
