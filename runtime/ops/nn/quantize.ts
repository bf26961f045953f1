// Linear quantization: QuantizeLinear, DequantizeLinear (per tensor, per axis, blocked) and
// DynamicQuantizeLinear, plus the rounding/saturation helpers the QLinear ops share. Quantized
// types: 2- to 32-bit integers (round half to even, clamp) and the narrow floats (float8, float4:
// round to nearest even, clamped unless saturate=0).

import { normAxis } from '../broadcast';
import { defineOp, NotSupportedOpError, OpError } from '../spec';
import { numberToMiniFloat } from '../../float8';
import { isMiniFloatType, tensor, type DType, type Tensor } from '../../tensor';
import { f64, need, out } from './util';

/** Integer range of the quantized integer types. */
export function qRange(op: string, t: DType): [number, number] {
  switch (t) {
    case 'uint2': return [0, 3];
    case 'int2': return [-2, 1];
    case 'uint4': return [0, 15];
    case 'int4': return [-8, 7];
    case 'uint8': return [0, 255];
    case 'int8': return [-128, 127];
    case 'uint16': return [0, 65535];
    case 'int16': return [-32768, 32767];
    case 'int32': return [-2147483648, 2147483647];
    default: throw new NotSupportedOpError(op, `quantized type ${t} is not supported (2- to 32-bit integers and float8/float4 are)`);
  }
}

/** numpy's rint: round half to even. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
}

/**
 * For each element of a tensor of shape `dims`, the index into a scale/zero-point tensor of
 * shape `sDims`: scalar (per tensor), 1-D along `axis` (per axis) or same rank (blocked).
 */
function paramIndex(op: string, dims: readonly number[], sDims: readonly number[], axis: number, blockSize: number): (i: number) => number {
  const n = sDims.reduce((a, b) => a * b, 1);
  if (n === 1) return () => 0;
  const r = dims.length;
  const ax = normAxis(op, axis, r);
  const inner = dims.slice(ax + 1).reduce((a, b) => a * b, 1);
  if (sDims.length === 1) {
    if (sDims[0] !== dims[ax]) throw new OpError(op, `per-axis scale has ${sDims[0]} entries, axis ${ax} has ${dims[ax]}`);
    return (i) => Math.floor(i / inner) % dims[ax];
  }
  if (sDims.length !== r) throw new OpError(op, `scale of shape [${sDims.join(',')}] fits neither per-axis nor blocked quantization`);
  const bs = blockSize > 0 ? blockSize : Math.ceil(dims[ax] / sDims[ax]);
  return (i) => {
    const o = Math.floor(i / (dims[ax] * inner));
    const a = Math.floor(i / inner) % dims[ax];
    const k = i % inner;
    return (o * sDims[ax] + Math.floor(a / bs)) * inner + k;
  };
}

interface QAttrs {
  readonly axis: number;
  readonly saturate: boolean;
  readonly blockSize: number;
  readonly outputDtype: number;
}

const readQAttrs = (a: { int(n: string, d: number): number }): QAttrs => ({
  axis: a.int('axis', 1),
  saturate: a.int('saturate', 1) !== 0,
  blockSize: a.int('block_size', 0),
  outputDtype: a.int('output_dtype', 0),
});

/** ONNX TensorProto data type codes the quantizers accept as output_dtype. */
const ONNX_DTYPES: Record<number, DType> = {
  2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz',
  19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1', 25: 'uint2', 26: 'int2',
};

export const quantizeLinear = defineOp<QAttrs>({
  op: 'QuantizeLinear',
  attrs: readQAttrs,
  infer: ([x, , zp], at) => [{ kind: 'tensor', dtype: zp?.dtype ?? ONNX_DTYPES[at.outputDtype] ?? 'uint8', shape: x?.shape ?? null }],
  run([xT, sT, zT], at) {
    const op = 'QuantizeLinear';
    const x = need(op, xT, 'x');
    const s = need(op, sT, 'y_scale');
    if (at.outputDtype && !ONNX_DTYPES[at.outputDtype]) throw new NotSupportedOpError(op, `output_dtype ${at.outputDtype} is not supported`);
    const type = zT?.type ?? ONNX_DTYPES[at.outputDtype] ?? 'uint8';
    const narrowFloat = isMiniFloatType(type);
    const [lo, hi] = narrowFloat ? [-Infinity, Infinity] : qRange(op, type);
    const xv = f64(x);
    const sv = f64(s);
    const zv = zT ? f64(zT) : undefined;
    const si = paramIndex(op, x.dims, s.dims, at.axis, at.blockSize);
    // float32 scales divide in float32, as the reference does
    const f32 = s.type === 'float32' && (x.type === 'float32' || x.type === 'float16' || x.type === 'bfloat16');
    if (narrowFloat) {
      // x / scale + zero point (a float too, normally 0), rounded once into the narrow float
      const bits = new Uint8Array(xv.length);
      for (let i = 0; i < xv.length; i++) {
        const k = si(i);
        const q = f32 ? Math.fround(xv[i] / sv[k]) : xv[i] / sv[k];
        bits[i] = numberToMiniFloat(type, q + (zv ? zv[k] : 0), at.saturate);
      }
      return [tensor(type, x.dims, bits)];
    }
    const y = new Float64Array(xv.length);
    for (let i = 0; i < xv.length; i++) {
      const k = si(i);
      const q = f32 ? Math.fround(xv[i] / sv[k]) : xv[i] / sv[k];
      const v = roundHalfEven(q) + (zv ? zv[k] : 0);
      y[i] = v < lo ? lo : v > hi ? hi : v;
    }
    return [out(type, x.dims, y)];
  },
});

export const dequantizeLinear = defineOp<QAttrs>({
  op: 'DequantizeLinear',
  attrs: readQAttrs,
  infer: ([x, s]) => [{ kind: 'tensor', dtype: s?.dtype ?? 'float32', shape: x?.shape ?? null }],
  run([xT, sT, zT], at) {
    const op = 'DequantizeLinear';
    const x = need(op, xT, 'x');
    const s = need(op, sT, 'x_scale');
    if (!isMiniFloatType(x.type)) qRange(op, x.type);
    const xv = f64(x);
    const sv = f64(s);
    const zv = zT ? f64(zT) : undefined;
    const si = paramIndex(op, x.dims, s.dims, at.axis, at.blockSize);
    const y = new Float64Array(xv.length);
    const f32 = s.type === 'float32';
    for (let i = 0; i < xv.length; i++) {
      const k = si(i);
      const d = xv[i] - (zv ? zv[k] : 0);
      y[i] = f32 ? Math.fround(d) * sv[k] : d * sv[k];
    }
    return [out(s.type, x.dims, y)];
  },
});

export const dynamicQuantizeLinear = defineOp({
  op: 'DynamicQuantizeLinear',
  attrs: () => ({}),
  infer: ([x]) => [
    { kind: 'tensor', dtype: 'uint8', shape: x?.shape ?? null },
    { kind: 'tensor', dtype: 'float32', shape: [] },
    { kind: 'tensor', dtype: 'uint8', shape: [] },
  ],
  run([xT]) {
    const op = 'DynamicQuantizeLinear';
    const x: Tensor = need(op, xT, 'x');
    const xv = f64(x);
    let mn = 0;
    let mx = 0;
    for (let i = 0; i < xv.length; i++) {
      if (xv[i] < mn) mn = xv[i];
      if (xv[i] > mx) mx = xv[i];
    }
    // the reference works in float32 throughout
    const scale = Math.fround(Math.fround(mx - mn) / 255);
    const zpF = scale === 0 ? 0 : Math.fround(Math.fround(0 - mn) / scale);
    const zp = Math.min(255, Math.max(0, roundHalfEven(zpF)));
    const y = new Float64Array(xv.length);
    for (let i = 0; i < xv.length; i++) {
      const v = roundHalfEven(scale === 0 ? 0 : Math.fround(xv[i] / scale)) + zp;
      y[i] = v < 0 ? 0 : v > 255 ? 255 : v;
    }
    return [out('uint8', x.dims, y), out('float32', [], [scale]), out('uint8', [], [zp])];
  },
});
