// The dtype-generic kernels on the wasm backend against the reference: integer and float64
// arithmetic with broadcasting (truncating division, wrapping, Python's and C's remainders),
// comparisons and logical ops, Where, bit ops, Cast between every numeric type (halves
// included), and float16 nodes computed through float32 (promotion).

import { describe, it } from 'vitest';
import { dataFrom, tensor, type DType, type Tensor } from '../../runtime/tensor';
import type { IO } from '../fixtures/onnx-builder';
import { compareWithReference, outN, rng, size } from './harness';

const io = (name: string, type: DType, dims: number[]): IO => ({ name, type, dims });
const values = (seed: number, type: DType, dims: number[], scale = 20): Tensor => {
  const v = rng(seed).floats(size(dims), scale);
  const ints = type !== 'float32' && type !== 'float64' && type !== 'float16';
  return tensor(type, dims, dataFrom(type, Array.from(v, (x) => (type === 'bool' ? x > 0 : ints ? Math.round(x) : x))));
};

async function binary(op: string, type: DType, aDims: number[], bDims: number[], outType: DType = type, attrs = {}): Promise<void> {
  const b = values(2, type, bDims);
  if (op === 'Div' || op === 'Mod') for (let i = 0; i < b.data.length; i++) if (Number(b.data[i]) === 0) (b.data as Int32Array)[i] = 3 as never;
  await compareWithReference({
    inputs: [io('a', type, aDims), io('b', type, bDims)], outputs: [outN('y', Math.max(aDims.length, bDims.length), outType)],
    nodes: [{ op, inputs: ['a', 'b'], outputs: ['y'], attrs }], feeds: { a: values(1, type, aDims), b },
  });
}

describe('wasm dtype-generic kernels', () => {
  for (const type of ['int32', 'int64', 'int8', 'uint8', 'float64'] as DType[]) {
    it(`Add, Sub, Mul, Div, Max, Min on ${type}`, async () => {
      for (const op of ['Add', 'Sub', 'Mul', 'Div', 'Max', 'Min']) await binary(op, type, [3, 4], [4]);
    });
    it(`comparisons on ${type}`, async () => {
      for (const op of ['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual']) await binary(op, type, [2, 5], [2, 1], 'bool');
    });
  }
  it('Mod, Python and C remainders on int32', async () => {
    await binary('Mod', 'int32', [4, 3], [3]);
    await binary('Mod', 'int32', [4, 3], [3], 'int32', { fmod: 1 });
  });
  it('And, Or, Xor, Not on bool', async () => {
    for (const op of ['And', 'Or', 'Xor']) await binary(op, 'bool', [3, 4], [4], 'bool');
    await compareWithReference({ inputs: [io('x', 'bool', [7])], outputs: [outN('y', 1, 'bool')], nodes: [{ op: 'Not', inputs: ['x'], outputs: ['y'] }], feeds: { x: values(3, 'bool', [7]) } });
  });
  it('BitShift and BitwiseAnd on uint32', async () => {
    const a = tensor('uint32', [5], Uint32Array.of(1, 7, 255, 1024, 3));
    const b = tensor('uint32', [5], Uint32Array.of(0, 1, 4, 33, 2));
    for (const [op, attrs] of [['BitShift', { direction: 'LEFT' }], ['BitShift', { direction: 'RIGHT' }], ['BitwiseAnd', {}]] as const) {
      await compareWithReference({
        inputs: [io('a', 'uint32', [5]), io('b', 'uint32', [5])], outputs: [outN('y', 1, 'uint32')],
        nodes: [{ op, inputs: ['a', 'b'], outputs: ['y'], attrs }], feeds: { a, b },
      });
    }
  });
  it('Where with broadcasting, int64 and float32', async () => {
    for (const type of ['int64', 'float32'] as DType[]) {
      await compareWithReference({
        inputs: [io('c', 'bool', [3, 1]), io('a', type, [3, 4]), io('b', type, [4])], outputs: [outN('y', 2, type)],
        nodes: [{ op: 'Where', inputs: ['c', 'a', 'b'], outputs: ['y'] }],
        feeds: { c: values(4, 'bool', [3, 1]), a: values(5, type, [3, 4]), b: values(6, type, [4]) },
      });
    }
  });
  it('Abs, Neg, Sign on int32, IsNaN and IsInf on float32', async () => {
    for (const op of ['Abs', 'Neg', 'Sign']) {
      await compareWithReference({ inputs: [io('x', 'int32', [9])], outputs: [outN('y', 1, 'int32')], nodes: [{ op, inputs: ['x'], outputs: ['y'] }], feeds: { x: values(7, 'int32', [9]) } });
    }
    const x = tensor('float32', [5], Float32Array.of(1, NaN, Infinity, -Infinity, -2));
    for (const op of ['IsNaN', 'IsInf']) {
      await compareWithReference({ inputs: [io('x', 'float32', [5])], outputs: [outN('y', 1, 'bool')], nodes: [{ op, inputs: ['x'], outputs: ['y'] }], feeds: { x } });
    }
  });
  const CASTS: DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'bool'];
  for (const from of CASTS) {
    it(`Cast from ${from} to every numeric type`, async () => {
      const x = values(8, from, [10], 300);
      for (const to of CASTS) {
        if (to === from) continue;
        await compareWithReference({
          inputs: [io('x', from, [10])], outputs: [outN('y', 1, to)],
          nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: { to: CODES[to]! } }], feeds: { x },
        });
      }
    });
  }
  it('Cast to and from the float8 flavours and float4, saturating and not', async () => {
    const x = tensor('float32', [12], Float32Array.of(0, -0, 0.3, -1.7, 3.25, 500, -1e6, 1e-5, NaN, Infinity, -Infinity, 0.0017));
    for (const [to, code] of [['float8e4m3fn', 17], ['float8e4m3fnuz', 18], ['float8e5m2', 19], ['float8e5m2fnuz', 20], ['float4e2m1', 23]] as const) {
      for (const saturate of [1, 0]) {
        await compareWithReference({
          inputs: [io('x', 'float32', [12])], outputs: [outN('y', 1, to), outN('z', 1)],
          nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: { to: code, saturate } }, { op: 'Cast', inputs: ['y'], outputs: ['z'], attrs: { to: 1 } }],
          feeds: { x }, opset: 23,
        });
      }
    }
  });
  it('float16 MatMul and Softmax computed through float32', async () => {
    const r = rng(9);
    await compareWithReference({
      inputs: [io('a', 'float16', [3, 5]), io('b', 'float16', [5, 4])], outputs: [outN('y', 2, 'float16')],
      nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['m'] }, { op: 'Softmax', inputs: ['m'], outputs: ['y'] }],
      feeds: { a: tensor('float16', [3, 5], dataFrom('float16', r.floats(15))), b: tensor('float16', [5, 4], dataFrom('float16', r.floats(20))) },
      tol: 2e-3,
    });
  });
});

/** ONNX TensorProto element type codes. */
const CODES: Partial<Record<DType, number>> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, float64: 11, uint32: 12, bfloat16: 16,
};
