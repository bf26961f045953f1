// Pools, Gemm, MatMul and Resize on the wasm backend against the reference: windows with pads,
// strides, dilations and ceil mode, count_include_pad, global pools in both layouts, Gemm's
// transposes, alpha, beta and every C shape, batched and broadcast MatMul with constant and
// computed B, and Resize's modes in both layouts.

import { describe, it } from 'vitest';
import { tensor } from '../../runtime/tensor';
import type { NodeSpec } from '../fixtures/onnx-builder';
import { compareWithReference, f32, outN, rng, size } from './harness';

const x4 = (seed: number, dims: number[]) => tensor('float32', dims, rng(seed).floats(size(dims), 3));

async function pool(op: string, dims: number[], attrs: Record<string, number | number[] | string>, seed = 1): Promise<void> {
  await compareWithReference({
    inputs: [f32('x', dims)], outputs: [outN('y', dims.length)],
    nodes: [{ op, inputs: ['x'], outputs: ['y'], attrs }],
    feeds: { x: x4(seed, dims) },
  });
}

/** A conv first, so the pool reads channels-last as it does in real models. */
async function convThenPool(op: string, attrs: Record<string, number | number[] | string>): Promise<void> {
  const r = rng(9);
  await compareWithReference({
    inputs: [f32('x', [1, 3, 11, 12])], outputs: [outN('y', 4)],
    nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] }, { op, inputs: ['c'], outputs: ['y'], attrs }],
    initializers: { w: tensor('float32', [6, 3, 1, 1], r.floats(18)) },
    feeds: { x: x4(10, [1, 3, 11, 12]) },
  });
}

describe('wasm pools', () => {
  it('MaxPool 3×3 stride 2 with pads', () => pool('MaxPool', [1, 5, 11, 12], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }));
  it('MaxPool ceil mode and dilations', () => pool('MaxPool', [2, 6, 10, 9], { kernel_shape: [3, 2], strides: [2, 2], dilations: [1, 2], ceil_mode: 1 }));
  it('MaxPool 1-D', () => pool('MaxPool', [1, 3, 15], { kernel_shape: [4], strides: [3], pads: [1, 2] }));
  it('AveragePool excluding pads', () => pool('AveragePool', [1, 7, 9, 10], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }));
  it('AveragePool including pads, ceil mode', () => pool('AveragePool', [1, 4, 9, 8], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 0, 1, 1], count_include_pad: 1, ceil_mode: 1 }));
  it('GlobalAveragePool, channels-first input', () => pool('GlobalAveragePool', [2, 5, 6, 7], {}));
  it('GlobalMaxPool', () => pool('GlobalMaxPool', [1, 9, 4, 5], {}));
  it('GlobalAveragePool after a conv (channels-last)', () => convThenPool('GlobalAveragePool', {}));
  it('MaxPool after a conv (channels-last)', () => convThenPool('MaxPool', { kernel_shape: [2, 2], strides: [2, 2] }));
});

async function gemm(seed: number, M: number, K: number, N: number, attrs: Record<string, number>, cDims: number[] | undefined, constB: boolean, act?: string): Promise<void> {
  const r = rng(seed);
  const aDims = attrs.transA ? [K, M] : [M, K], bDims = attrs.transB ? [N, K] : [K, N];
  const inputs = [f32('a', aDims)];
  const feeds: Record<string, ReturnType<typeof tensor>> = { a: tensor('float32', aDims, r.floats(size(aDims))) };
  const initializers: Record<string, ReturnType<typeof tensor>> = {};
  const b = tensor('float32', bDims, r.floats(size(bDims)));
  if (constB) initializers.b = b;
  else {
    inputs.push(f32('b', bDims));
    feeds.b = b;
  }
  if (cDims) initializers.c = tensor('float32', cDims, r.floats(size(cDims)));
  const nodes: NodeSpec[] = [{ op: 'Gemm', inputs: cDims ? ['a', 'b', 'c'] : ['a', 'b'], outputs: [act ? 'g' : 'y'], attrs }];
  if (act) nodes.push({ op: act, inputs: ['g'], outputs: ['y'] });
  await compareWithReference({ inputs, outputs: [outN('y', 2)], nodes, initializers, feeds });
}

describe('wasm Gemm and MatMul', () => {
  it('Gemm, constant B and row bias, Relu fused', () => gemm(1, 7, 13, 21, {}, [21], true, 'Relu'));
  it('Gemm transA transB, alpha, beta, full C', () => gemm(2, 9, 5, 10, { transA: 1, transB: 1, alpha: 0.5, beta: 2 }, [9, 10], true));
  it('Gemm, computed B, alpha, column C', () => gemm(3, 6, 11, 9, { alpha: 1.5, beta: 0.25 }, [6, 1], false, 'Sigmoid'));
  it('Gemm, scalar C, M = 1', () => gemm(4, 1, 40, 33, { transB: 1 }, [1], true));

  const matmul = async (seed: number, aDims: number[], bDims: number[], constB: boolean) => {
    const r = rng(seed);
    const b = tensor('float32', bDims, r.floats(size(bDims)));
    const rank = Math.max(aDims.length, bDims.length) - (aDims.length === 1 || bDims.length === 1 ? 1 : 0);
    await compareWithReference({
      inputs: constB ? [f32('a', aDims)] : [f32('a', aDims), f32('b', bDims)],
      outputs: [outN('y', Math.max(rank, 1))],
      nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
      initializers: constB ? { b } : {},
      feeds: constB ? { a: tensor('float32', aDims, r.floats(size(aDims))) } : { a: tensor('float32', aDims, r.floats(size(aDims))), b },
    });
  };
  it('MatMul 3-D × 2-D constant (one product over all rows)', () => matmul(5, [2, 7, 9], [9, 11], true));
  it('MatMul batched, computed B', () => matmul(6, [3, 5, 6], [3, 6, 4], false));
  it('MatMul broadcast batch dims', () => matmul(7, [2, 1, 5, 6], [1, 3, 6, 7], false));
  it('MatMul batched constant B', () => matmul(8, [2, 4, 3], [2, 3, 9], true));
  it('MatMul 1-D operands', async () => {
    await matmul(9, [6], [2, 6, 5], false);
    await matmul(10, [3, 6], [6], true);
  });
});

async function resize(seed: number, attrs: Record<string, number | number[] | string>, scales: number[] | undefined, sizes: number[] | undefined, afterConv: boolean): Promise<void> {
  const r = rng(seed);
  const xDims = [1, 3, 6, 7];
  const initializers: Record<string, ReturnType<typeof tensor>> = { roi: tensor('float32', [0], new Float32Array(0)) };
  if (scales) initializers.scales = tensor('float32', [4], Float32Array.from(scales));
  if (sizes) initializers.sizes = tensor('int64', [4], BigInt64Array.from(sizes.map(BigInt)));
  const nodes: NodeSpec[] = [];
  let src = 'x';
  if (afterConv) {
    initializers.w = tensor('float32', [5, 3, 1, 1], r.floats(15));
    nodes.push({ op: 'Conv', inputs: ['x', 'w'], outputs: ['c'] });
    src = 'c';
  }
  nodes.push({ op: 'Resize', inputs: [src, 'roi', scales ? 'scales' : '', sizes ? 'sizes' : ''], outputs: ['y'], attrs });
  await compareWithReference({ inputs: [f32('x', xDims)], outputs: [outN('y', 4)], nodes, initializers, feeds: { x: tensor('float32', xDims, r.floats(size(xDims))) } });
}

describe('wasm Resize', () => {
  for (const afterConv of [false, true]) {
    const where = afterConv ? 'channels-last' : 'channels-first';
    it(`nearest ×2, ${where}`, () => resize(1, { mode: 'nearest' }, [1, 1, 2, 2], undefined, afterConv));
    it(`linear half_pixel to sizes, ${where}`, () => resize(2, { mode: 'linear' }, undefined, [1, afterConv ? 5 : 3, 9, 11], afterConv));
    it(`linear align_corners ×1.5, ${where}`, () => resize(3, { mode: 'linear', coordinate_transformation_mode: 'align_corners' }, [1, 1, 1.5, 1.5], undefined, afterConv));
    it(`cubic asymmetric downscale, ${where}`, () => resize(4, { mode: 'cubic', coordinate_transformation_mode: 'asymmetric' }, [1, 1, 0.6, 0.8], undefined, afterConv));
    it(`nearest floor pytorch_half_pixel, ${where}`, () => resize(5, { mode: 'nearest', nearest_mode: 'floor', coordinate_transformation_mode: 'pytorch_half_pixel' }, [1, 1, 1.7, 2.3], undefined, afterConv));
  }
});
