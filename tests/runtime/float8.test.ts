// The narrow element types: float8/float4/e8m0 bit conversions against known encodings, and the
// TensorProto codec's packing of 4- and 2-bit types.

import { describe, expect, it } from 'vitest';
import { miniFloatToNumber as dec, numberToMiniFloat as enc, type MiniFloatType } from '../../runtime/float8';
import { onnx } from '../../runtime/onnx/proto';
import { decodeTensor, encodeTensor } from '../../runtime/onnx/tensor-proto';
import { dataFrom, fromNumbers, tensor, toNumbers, type DType } from '../../runtime/tensor';

describe('float8 and float4 conversions', () => {
  it('float8e4m3fn: known encodings, no infinity, NaN 0x7f', () => {
    expect(enc('float8e4m3fn', 1)).toBe(0x38);
    expect(enc('float8e4m3fn', 0.5)).toBe(0x30);
    expect(enc('float8e4m3fn', 448)).toBe(0x7e);
    expect(enc('float8e4m3fn', -448)).toBe(0xfe);
    expect(enc('float8e4m3fn', 2 ** -9)).toBe(0x01); // smallest subnormal
    expect(enc('float8e4m3fn', 2 ** -10)).toBe(0x00); // halfway to zero: ties to even
    expect(enc('float8e4m3fn', 3 * 2 ** -10)).toBe(0x02); // halfway 1↔2 quanta: ties to even
    expect(enc('float8e4m3fn', -0)).toBe(0x80);
    expect(enc('float8e4m3fn', 464)).toBe(0x7e); // halfway 448↔480: ties to even, stays finite
    expect(enc('float8e4m3fn', 465)).toBe(0x7e); // saturate (default)
    expect(enc('float8e4m3fn', 465, false)).toBe(0x7f); // overflow is NaN without saturation
    expect(enc('float8e4m3fn', -Infinity)).toBe(0xfe);
    expect(enc('float8e4m3fn', Infinity, false)).toBe(0x7f);
    expect(enc('float8e4m3fn', NaN)).toBe(0x7f);
    expect(dec('float8e4m3fn', 0x7e)).toBe(448);
    expect(dec('float8e4m3fn', 0xed)).toBe(-104);
    expect(dec('float8e4m3fn', 0x7f)).toBeNaN();
    expect(dec('float8e4m3fn', 0xff)).toBeNaN();
  });

  it('float8e4m3fnuz: no negative zero, NaN 0x80, max 240', () => {
    expect(enc('float8e4m3fnuz', 1)).toBe(0x40);
    expect(enc('float8e4m3fnuz', 240)).toBe(0x7f);
    expect(enc('float8e4m3fnuz', 1e6)).toBe(0x7f);
    expect(enc('float8e4m3fnuz', -Infinity)).toBe(0xff);
    expect(enc('float8e4m3fnuz', 1e6, false)).toBe(0x80);
    expect(enc('float8e4m3fnuz', -1e-7)).toBe(0x00);
    expect(enc('float8e4m3fnuz', NaN)).toBe(0x80);
    expect(enc('float8e4m3fnuz', 2 ** -10)).toBe(0x01);
    expect(dec('float8e4m3fnuz', 0x80)).toBeNaN();
    expect(dec('float8e4m3fnuz', 0xff)).toBe(-240);
  });

  it('float8e5m2: IEEE-like with infinities', () => {
    expect(enc('float8e5m2', 1)).toBe(0x3c);
    expect(enc('float8e5m2', 57344)).toBe(0x7b);
    expect(enc('float8e5m2', 61440)).toBe(0x7b); // saturated
    expect(enc('float8e5m2', 61440, false)).toBe(0x7c); // halfway past max rounds to inf
    expect(enc('float8e5m2', 59392, false)).toBe(0x7b); // below halfway: max
    expect(enc('float8e5m2', -Infinity, false)).toBe(0xfc);
    expect(enc('float8e5m2', Infinity)).toBe(0x7b);
    expect(enc('float8e5m2', 2 ** -16)).toBe(0x01);
    expect(dec('float8e5m2', 0x7c)).toBe(Infinity);
    expect(dec('float8e5m2', 0xfc)).toBe(-Infinity);
    expect(dec('float8e5m2', 0x7d)).toBeNaN();
    expect(Number.isNaN(dec('float8e5m2', enc('float8e5m2', NaN)))).toBe(true);
  });

  it('float8e5m2fnuz: no infinities, NaN 0x80', () => {
    expect(enc('float8e5m2fnuz', 1)).toBe(0x40);
    expect(enc('float8e5m2fnuz', 57344)).toBe(0x7f);
    expect(enc('float8e5m2fnuz', Infinity)).toBe(0x7f);
    expect(enc('float8e5m2fnuz', Infinity, false)).toBe(0x80);
    expect(enc('float8e5m2fnuz', 2 ** -17)).toBe(0x01);
    expect(dec('float8e5m2fnuz', 0x80)).toBeNaN();
  });

  it('float4e2m1: eight magnitudes up to 6, always clamped', () => {
    const values = [0, 0.5, 1, 1.5, 2, 3, 4, 6];
    values.forEach((v, b) => {
      expect(dec('float4e2m1', b)).toBe(v);
      expect(dec('float4e2m1', b | 8)).toBe(-v);
      expect(enc('float4e2m1', v)).toBe(b);
    });
    expect(enc('float4e2m1', 0.25)).toBe(0x0); // ties to even
    expect(enc('float4e2m1', 0.75)).toBe(0x2);
    expect(enc('float4e2m1', 2.5)).toBe(0x4);
    expect(enc('float4e2m1', 5)).toBe(0x6);
    expect(enc('float4e2m1', -3.5)).toBe(0xe);
    expect(enc('float4e2m1', 9)).toBe(0x7);
    expect(enc('float4e2m1', -Infinity)).toBe(0xf);
    expect(enc('float4e2m1', -0)).toBe(0x8);
  });

  it('float8e8m0: powers of two, rounding up, down or to nearest (ties up)', () => {
    expect(enc('float8e8m0', 1)).toBe(0x7f);
    expect(enc('float8e8m0', 0.124)).toBe(0x7c);
    expect(enc('float8e8m0', 1.1)).toBe(0x80);
    expect(enc('float8e8m0', 1.9, true, 'down')).toBe(0x7f);
    expect(enc('float8e8m0', 1.5, true, 'nearest')).toBe(0x80);
    expect(enc('float8e8m0', 1.4, true, 'nearest')).toBe(0x7f);
    expect(enc('float8e8m0', 0)).toBe(0x00);
    expect(enc('float8e8m0', Infinity)).toBe(0xfe);
    expect(enc('float8e8m0', Infinity, false)).toBe(0xff);
    expect(enc('float8e8m0', 2 ** 127 * 1.5, false)).toBe(0xff); // rounds up past the largest
    expect(dec('float8e8m0', 0x00)).toBe(2 ** -127);
    expect(dec('float8e8m0', 0xfe)).toBe(2 ** 127);
    expect(dec('float8e8m0', 0xff)).toBeNaN();
  });

  it('every non-NaN bit pattern round-trips', () => {
    const types: MiniFloatType[] = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0'];
    for (const t of types) {
      for (let b = 0; b < 256; b++) {
        const v = dec(t, b);
        if (!Number.isNaN(v)) expect([t, b, enc(t, v, false)]).toEqual([t, b, b]);
      }
    }
    for (let b = 0; b < 16; b++) expect(enc('float4e2m1', dec('float4e2m1', b))).toBe(b);
  });

  it('reaches tensors through dataFrom / toNumbers / fromNumbers', () => {
    const t = fromNumbers('float8e4m3fn', [3], [1, 1000, -0.5]);
    expect(Array.from(t.data as Uint8Array)).toEqual([0x38, 0x7e, 0xb0]);
    expect(Array.from(toNumbers(t))).toEqual([1, 448, -0.5]);
    expect(Array.from(dataFrom('int4', [7, 8, -9, 2.9]) as Int8Array)).toEqual([7, -8, 7, 2]); // wraps like a cast
    expect(Array.from(dataFrom('uint2', [3, 4, -1]) as Uint8Array)).toEqual([3, 0, 3]);
  });
});

describe('TensorProto codec for the narrow types', () => {
  const cases: [DType, number[]][] = [
    ['int4', [-8, 7, 1]], ['uint4', [15, 0, 9]], ['int2', [-2, 1, 0, -1, 1]], ['uint2', [3, 0, 2, 1, 3]],
    ['float4e2m1', [0.5, -6, 3]], ['float8e4m3fn', [448, -0.5, 2 ** -9]], ['float8e4m3fnuz', [240, -1, 0]],
    ['float8e5m2', [57344, -(2 ** -16), -1]], ['float8e5m2fnuz', [57344, -2, 0.25]], ['float8e8m0', [1, 0.5, 2 ** 127]],
  ];
  for (const [type, values] of cases) {
    it(`round-trips ${type}`, () => {
      const t = tensor(type, [values.length], dataFrom(type, values));
      const back = decodeTensor(encodeTensor(t, 'x'));
      expect(back.type).toBe(type);
      expect(Array.from(toNumbers(back))).toEqual(values);
    });
  }

  it('packs 4-bit elements two to a byte and 2-bit ones four to a byte, low bits first', () => {
    const raw = (type: DType, values: number[]) => onnx.TensorProto.decode(encodeTensor(tensor(type, [values.length], dataFrom(type, values)))).rawData;
    expect(Array.from(raw('int4', [-8, 7, 1]))).toEqual([0x78, 0x01]);
    expect(Array.from(raw('uint2', [0, 1, 2, 3, 1]))).toEqual([0xe4, 0x01]);
  });

  it('reads packed int32_data as the node tests store it', () => {
    const p = onnx.TensorProto.encode({ dataType: 22, dims: [5], int32Data: [16, 199, 8] }).finish();
    expect(Array.from(decodeTensor(p).data as Int8Array)).toEqual([0, 1, 7, -4, -8]);
    const f8 = onnx.TensorProto.encode({ dataType: 17, dims: [3], int32Data: [0, 48, 237] }).finish();
    expect(Array.from(toNumbers(decodeTensor(f8)))).toEqual([0, 0.5, -104]);
  });
});
