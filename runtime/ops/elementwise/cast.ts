// Cast and CastLike between every engine dtype, strings included; BitCast reinterprets bytes.
// Numbers convert like C/numpy: floats truncate toward zero into ints, narrow ints wrap, 64-bit
// ints convert exactly; int4/int2 wrap like the other narrow ints. Narrow float targets (float8,
// float4) round to nearest even and honour `saturate`; float8e8m0 also `round_mode`.

import { numberToMiniFloat, type E8M0Rounding } from '../../float8';
import {
  allocData, bitsPerElement, isBigIntType, isMiniFloatType, tensor, type DType, type MiniFloatType, type Tensor,
  type TypedArray,
} from '../../tensor';
import { NotSupportedOpError, OpError, defineOp, type Attrs, type OpSpec } from '../spec';
import { inferSameShape } from './infer';
import { numBuffer, numTensor, numView, type BigArray } from './numeric';
import { formatNumber, parseNumber } from './strings';
import { codeName, dtypeOfCode, need } from './util';

const INT64_MIN = -(2n ** 63n);

/** Reads any tensor's elements as numbers or, for 64-bit ints, exact bigints. */
function elementsOf(x: Tensor): ArrayLike<number> | BigArray {
  return isBigIntType(x.type) ? (x.data as BigArray) : numView(x);
}

function toStrings(x: Tensor): string[] {
  if (x.type === 'string') return [...(x.data as string[])];
  const src = elementsOf(x);
  const out = new Array<string>(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i];
    out[i] = x.type === 'bool' ? (v ? 'True' : 'False') : formatNumber(v, x.type);
  }
  return out;
}

function fromStrings(x: Tensor, to: DType): Tensor {
  const src = x.data as string[];
  if (isBigIntType(to)) {
    const out = allocData(to, src.length) as BigArray;
    for (let i = 0; i < src.length; i++) {
      const s = src[i].trim();
      // integral text converts exactly; anything else goes through a float like "100.5" → 100
      out[i] = /^[+-]?\d+$/.test(s) ? BigInt(s) : floatToBig(parseNumber(s));
    }
    return tensor(to, x.dims, out);
  }
  const out = numBuffer(to, src.length);
  for (let i = 0; i < src.length; i++) {
    const v = parseNumber(src[i]);
    out[i] = to === 'bool' ? (v !== 0 ? 1 : 0) : to.startsWith('float') || to === 'bfloat16' ? v : Math.trunc(v);
  }
  return numTensor(to, x.dims, out);
}

/** A float to a 64-bit int: truncated; NaN and infinities give INT64_MIN as on x86 (numpy). */
const floatToBig = (v: number): bigint => (Number.isFinite(v) ? BigInt(Math.trunc(v)) : INT64_MIN);

/** How a cast into a narrow float rounds and overflows (Cast's `saturate` and `round_mode`). */
export interface NarrowFloatOptions {
  readonly saturate?: boolean;
  readonly roundMode?: E8M0Rounding;
}

/** Any tensor's elements as JS numbers (strings parsed, 64-bit ints rounded to the nearest double). */
function numbersOf(x: Tensor): ArrayLike<number> {
  if (x.type === 'string') return (x.data as string[]).map(parseNumber);
  if (isBigIntType(x.type)) return Array.from(x.data as BigArray, Number);
  return numView(x);
}

function toMiniFloat(x: Tensor, to: MiniFloatType, opts: NarrowFloatOptions): Tensor {
  const src = numbersOf(x);
  const out = allocData(to, src.length) as Uint8Array;
  const saturate = opts.saturate ?? true;
  for (let i = 0; i < src.length; i++) out[i] = numberToMiniFloat(to, src[i], saturate, opts.roundMode ?? 'up');
  return tensor(to, x.dims, out);
}

/** Converts a tensor to `to`; the same tensor when it already has that type. */
export function castTensor(x: Tensor, to: DType, opts: NarrowFloatOptions = {}): Tensor {
  if (x.type === to) return x;
  if (isMiniFloatType(to)) return toMiniFloat(x, to, opts);
  if (to === 'string') return tensor('string', x.dims, toStrings(x));
  if (x.type === 'string') return fromStrings(x, to);
  const n = x.data.length;
  if (isBigIntType(x.type)) {
    const src = x.data as BigArray;
    if (isBigIntType(to)) {
      const out = allocData(to, n) as BigArray;
      for (let i = 0; i < n; i++) out[i] = src[i]; // the store wraps between int64 and uint64
      return tensor(to, x.dims, out);
    }
    const out = numBuffer(to, n);
    const narrowInt = !to.startsWith('float') && to !== 'bfloat16' && to !== 'bool';
    for (let i = 0; i < n; i++) {
      const v = src[i];
      // keep the low 32 bits exactly; the store wraps further for 8- and 16-bit types
      out[i] = to === 'bool' ? (v !== 0n ? 1 : 0) : narrowInt ? Number(BigInt.asIntN(32, v)) : Number(v);
    }
    return numTensor(to, x.dims, out);
  }
  const src = numView(x);
  if (isBigIntType(to)) {
    const out = allocData(to, n) as BigArray;
    for (let i = 0; i < n; i++) out[i] = floatToBig(src[i]);
    return tensor(to, x.dims, out);
  }
  const out = numBuffer(to, n);
  if (to === 'bool') for (let i = 0; i < n; i++) out[i] = src[i] !== 0 ? 1 : 0; // NaN is true
  else for (let i = 0; i < n; i++) out[i] = src[i]; // the store rounds to float32 / truncates and wraps ints
  return numTensor(to, x.dims, out);
}

interface CastAttrs {
  readonly to: DType;
}

/** The `to` attribute of Cast and BitCast as an engine dtype. */
function targetType(op: string, a: Attrs): CastAttrs {
  const code = a.int('to');
  if (code === undefined) throw new OpError(op, "attribute 'to' is required");
  const to = dtypeOfCode(code);
  if (!to) throw new NotSupportedOpError(op, `casting to ${codeName(code)} is not supported`);
  return { to };
}

/** `saturate` (default 1) and `round_mode` (default "up"), which only narrow float targets use. */
function narrowOptions(op: string, a: Attrs): Required<NarrowFloatOptions> {
  const roundMode = a.string('round_mode', 'up');
  if (roundMode !== 'up' && roundMode !== 'down' && roundMode !== 'nearest') {
    throw new OpError(op, `round_mode must be "up", "down" or "nearest", got "${roundMode}"`);
  }
  return { saturate: a.int('saturate', 1) !== 0, roundMode };
}

const cast = defineOp<CastAttrs & Required<NarrowFloatOptions>>({
  op: 'Cast',
  attrs: (a) => ({ ...targetType('Cast', a), ...narrowOptions('Cast', a) }),
  infer: (inputs, at) => inferSameShape(inputs, at.to),
  run: (inputs, at) => [castTensor(need('Cast', inputs[0], 'input'), at.to, at)],
});

const castLike = defineOp<Required<NarrowFloatOptions>>({
  op: 'CastLike',
  attrs: (a) => narrowOptions('CastLike', a),
  infer: (inputs) => (inputs[1] ? inferSameShape(inputs, inputs[1].dtype) : [null]),
  run: (inputs, at) => [castTensor(need('CastLike', inputs[0], 'input'), need('CastLike', inputs[1], 'target_type').type, at)],
});

/** BitCast: reinterprets each element's bytes as `to`, a type of the same width. */
const bitCast = defineOp<CastAttrs>({
  op: 'BitCast',
  attrs: (a) => targetType('BitCast', a),
  infer: (inputs, at) => inferSameShape(inputs, at.to),
  run: (inputs, at) => {
    const x = need('BitCast', inputs[0], 'input');
    if (x.type === 'string' || at.to === 'string' || bitsPerElement(x.type) !== bitsPerElement(at.to) || bitsPerElement(at.to) < 8) {
      throw new OpError('BitCast', `cannot reinterpret ${x.type} as ${at.to}: both must be non-string types of one width, whole bytes`);
    }
    const src = x.data as TypedArray;
    const out = allocData(at.to, src.length) as TypedArray;
    new Uint8Array(out.buffer).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
    return [tensor(at.to, x.dims, out)];
  },
});

export const castOps: OpSpec[] = [cast, castLike, bitCast] as OpSpec[];
