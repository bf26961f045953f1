// Conv on the wasm backend against the reference: pointwise (the direct GEMM), windows through
// chunked im2col (strides, pads, dilations, groups), depthwise (the 3×3 fast path and the
// checked border path), 1-D, and every fused activation epilogue. Sizes avoid multiples of the
// 4×8 tile and of 4 channels so the remainder paths run too.

import { describe, it } from 'vitest';
import { tensor, type Tensor } from '../../runtime/tensor';
import type { NodeSpec } from '../fixtures/onnx-builder';
import { compareWithReference, f32, outN, rng, size } from './harness';

interface ConvCase {
  readonly N?: number;
  readonly C: number;
  readonly M: number;
  readonly H: number;
  readonly W: number;
  readonly k: number | [number, number];
  readonly attrs?: Record<string, number | number[] | string>;
  readonly group?: number;
  readonly act?: string;
  readonly actAttrs?: Record<string, number | number[] | string>;
  readonly bias?: boolean;
  readonly opset?: number;
}

async function checkConv(seed: number, c: ConvCase): Promise<void> {
  const r = rng(seed);
  const g = c.group ?? 1;
  const [kh, kw] = typeof c.k === 'number' ? [c.k, c.k] : c.k;
  const wDims = [c.M, c.C / g, kh, kw];
  const xDims = [c.N ?? 1, c.C, c.H, c.W];
  const ins = c.bias === false ? ['x', 'w'] : ['x', 'w', 'b'];
  const nodes: NodeSpec[] = [{ op: 'Conv', inputs: ins, outputs: [c.act ? 'c' : 'y'], attrs: { ...c.attrs, group: g } }];
  if (c.act === 'Clip') nodes.push({ op: 'Clip', inputs: ['c', 'lo', 'hi'], outputs: ['y'] });
  else if (c.act === 'SiLU') nodes.push({ op: 'Sigmoid', inputs: ['c'], outputs: ['s'] }, { op: 'Mul', inputs: ['c', 's'], outputs: ['y'] });
  else if (c.act) nodes.push({ op: c.act, inputs: ['c'], outputs: ['y'], attrs: c.actAttrs });
  const initializers: Record<string, Tensor> = {
    w: tensor('float32', wDims, r.floats(size(wDims))),
    b: tensor('float32', [c.M], r.floats(c.M)),
    lo: tensor('float32', [], new Float32Array([0])),
    hi: tensor('float32', [], new Float32Array([6])),
  };
  await compareWithReference({ inputs: [f32('x', xDims)], outputs: [outN('y', 4)], nodes, initializers, feeds: { x: tensor('float32', xDims, r.floats(size(xDims), 2)) }, opset: c.opset });
}

describe('wasm Conv', () => {
  it('pointwise, tile remainders in M and N', () => checkConv(1, { C: 13, M: 19, H: 5, W: 7, k: 1 }));
  it('pointwise, batch of 2, no bias', () => checkConv(2, { N: 2, C: 8, M: 16, H: 6, W: 6, k: 1, bias: false }));
  it('3×3, pads 1', () => checkConv(3, { C: 5, M: 11, H: 9, W: 10, k: 3, attrs: { pads: [1, 1, 1, 1] } }));
  it('3×3 stride 2, asymmetric pads', () => checkConv(4, { C: 3, M: 8, H: 13, W: 12, k: 3, attrs: { strides: [2, 2], pads: [1, 0, 0, 1] } }));
  it('5×3 with dilations', () => checkConv(5, { C: 4, M: 6, H: 12, W: 11, k: [5, 3], attrs: { dilations: [2, 1], pads: [2, 1, 2, 1] } }));
  it('auto_pad SAME_UPPER stride 2', () => checkConv(6, { C: 6, M: 9, H: 10, W: 9, k: 3, attrs: { auto_pad: 'SAME_UPPER', strides: [2, 2] } }));
  it('grouped (2 groups)', () => checkConv(7, { C: 8, M: 12, H: 7, W: 7, k: 3, group: 2, attrs: { pads: [1, 1, 1, 1] } }));
  it('strided pointwise', () => checkConv(8, { C: 9, M: 10, H: 9, W: 9, k: 1, attrs: { strides: [2, 2] } }));
  it('depthwise 3×3, pads 1, channels not a multiple of 4', () => checkConv(9, { C: 10, M: 10, H: 9, W: 11, k: 3, group: 10, attrs: { pads: [1, 1, 1, 1] } }));
  it('depthwise 3×3 stride 2', () => checkConv(10, { C: 16, M: 16, H: 12, W: 13, k: 3, group: 16, attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } }));
  it('depthwise 5×5 dilated (checked path)', () => checkConv(11, { C: 8, M: 8, H: 11, W: 11, k: 5, group: 8, attrs: { pads: [4, 4, 4, 4], dilations: [2, 2] } }));
  it('depthwise, channel multiplier 2 (grouped GEMM)', () => checkConv(12, { C: 4, M: 8, H: 6, W: 6, k: 3, group: 4 }));
  it('Winograd 3×3: odd output, pads 1', () => checkConv(30, { C: 8, M: 11, H: 9, W: 10, k: 3, attrs: { pads: [1, 1, 1, 1] } }));
  it('Winograd 3×3: no pads, batch 2, fused Relu', () => checkConv(31, { N: 2, C: 12, M: 16, H: 8, W: 7, k: 3, act: 'Relu' }));
  it('Winograd 3×3: asymmetric pads, fused Sigmoid', () => checkConv(32, { C: 16, M: 9, H: 6, W: 11, k: 3, act: 'Sigmoid', attrs: { pads: [0, 1, 2, 1] } }));
  it('Winograd 3×3: channels past one chunk of tiles', () => checkConv(33, { C: 64, M: 72, H: 30, W: 29, k: 3, attrs: { pads: [1, 1, 1, 1] } }));
  it('SiLU (Mul of x and its Sigmoid) fused as Swish, on the GEMM and Winograd', async () => {
    await checkConv(24, { C: 6, M: 10, H: 5, W: 6, k: 1, act: 'SiLU' });
    await checkConv(25, { C: 8, M: 12, H: 6, W: 7, k: 3, act: 'SiLU', attrs: { pads: [1, 1, 1, 1] } });
  });
  it('weights fed at run time', async () => {
    const r = rng(13);
    const xDims = [1, 5, 6, 7], wDims = [6, 5, 3, 3];
    await compareWithReference({
      inputs: [f32('x', xDims), f32('w', wDims)],
      outputs: [outN('y', 4)],
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } }],
      feeds: { x: tensor('float32', xDims, r.floats(size(xDims))), w: tensor('float32', wDims, r.floats(size(wDims))) },
    });
  });
  it('1-D', async () => {
    const r = rng(14);
    await compareWithReference({
      inputs: [f32('x', [2, 6, 17])],
      outputs: [outN('y', 3)],
      nodes: [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['y'], attrs: { pads: [2, 1], strides: [2] } }],
      initializers: { w: tensor('float32', [7, 6, 4], r.floats(7 * 6 * 4)), b: tensor('float32', [7], r.floats(7)) },
      feeds: { x: tensor('float32', [2, 6, 17], r.floats(2 * 6 * 17)) },
    });
  });
  for (const [act, actAttrs] of [
    ['Relu', undefined], ['Clip', undefined], ['LeakyRelu', { alpha: 0.1 }], ['HardSigmoid', { alpha: 0.3, beta: 0.4 }],
    ['HardSwish', undefined], ['Sigmoid', undefined], ['Tanh', undefined], ['Gelu', undefined], ['Gelu', { approximate: 'tanh' }],
    ['Elu', { alpha: 0.7 }], ['Softplus', undefined], ['Swish', { alpha: 1.3 }],
  ] as const) {
    it(`fused ${act}${actAttrs ? ' ' + JSON.stringify(actAttrs) : ''} on pointwise, im2col and depthwise`, async () => {
      await checkConv(20, { C: 6, M: 10, H: 5, W: 6, k: 1, act, actAttrs, opset: act === 'Swish' ? 24 : undefined });
      await checkConv(21, { C: 3, M: 9, H: 7, W: 6, k: 3, act, actAttrs, attrs: { pads: [1, 1, 1, 1] }, opset: act === 'Swish' ? 24 : undefined });
      await checkConv(22, { C: 12, M: 12, H: 7, W: 8, k: 3, group: 12, act, actAttrs, attrs: { pads: [1, 1, 1, 1] }, opset: act === 'Swish' ? 24 : undefined });
    });
  }
});

describe('wasm ConvTranspose', () => {
  const check = async (seed: number, C: number, M: number, H: number, W: number, k: number, attrs: Record<string, number | number[]>, constW: boolean, group = 1, act?: string) => {
    const r = rng(seed);
    const wDims = [C, M / group, k, k];
    const w = tensor('float32', wDims, r.floats(size(wDims)));
    const nodes: NodeSpec[] = [{ op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: [act ? 'c' : 'y'], attrs: { ...attrs, group } }];
    if (act) nodes.push({ op: act, inputs: ['c'], outputs: ['y'] });
    await compareWithReference({
      inputs: constW ? [f32('x', [1, C, H, W])] : [f32('x', [1, C, H, W]), f32('w', wDims)],
      outputs: [outN('y', 4)], nodes,
      initializers: { ...(constW ? { w } : {}), b: tensor('float32', [M], r.floats(M)) },
      feeds: { x: tensor('float32', [1, C, H, W], r.floats(C * H * W)), ...(constW ? {} : { w }) },
    });
  };
  it('2×2 stride 2 (PP-OCR upsampling), constant weights, fused Relu', () => check(40, 6, 10, 5, 4, 2, { strides: [2, 2] }, true, 1, 'Relu'));
  it('3×3 stride 2, pads and output_padding, weights fed at run time', () => check(41, 5, 7, 4, 5, 3, { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 0] }, false));
  it('grouped, dilated', () => check(42, 4, 6, 5, 5, 3, { dilations: [2, 2], pads: [1, 0, 1, 2] }, true, 2));
});
