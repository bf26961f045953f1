// Helpers shared by the nn kernels: float64 views of tensors, typed outputs, and the spatial
// geometry (pads, output sizes) of convolutions and pools.

import type { Dim, TensorType } from '../../ir/graph';
import { OpError } from '../spec';
import { fromNumbers, isFloatType, toNumbers, type DType, type Tensor } from '../../tensor';

const f64Cache = new WeakMap<object, Float64Array>();

/**
 * The tensor's values as a Float64Array. float64 data is returned as is; other types are
 * converted once and cached per data array (weights are converted on first use only).
 */
export function f64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data;
  const hit = f64Cache.get(t.data);
  if (hit) return hit;
  const v = toNumbers(t);
  f64Cache.set(t.data, v);
  return v;
}

/** Requires an input, naming the op and the input when it is missing. */
export function need(op: string, t: Tensor | undefined, what: string): Tensor {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  return t;
}

/** Requires a floating-point tensor (float16/bfloat16/float32/float64). */
export function needFloat(op: string, t: Tensor | undefined, what: string): Tensor {
  const x = need(op, t, what);
  if (!isFloatType(x.type)) throw new OpError(op, `input '${what}' must be a float tensor, got ${x.type}`);
  return x;
}

/** A tensor of `type` from float64 values (float32 rounds by being stored in a Float32Array). */
export function out(type: DType, dims: readonly number[], values: ArrayLike<number>): Tensor {
  return fromNumbers(type, dims, values);
}

/** Shape of a tensor type, or null when unknown. */
export function shapeOf(t: TensorType | null | undefined): readonly Dim[] | null {
  return t?.shape ?? null;
}

export const known = (d: Dim | undefined): d is number => typeof d === 'number';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

export function autoPadAttr(op: string, v: string): AutoPad {
  if (v === 'NOTSET' || v === 'SAME_UPPER' || v === 'SAME_LOWER' || v === 'VALID') return v;
  throw new OpError(op, `auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '${v}'`);
}

/** Spatial attributes common to Conv and the pools (undefined entries take per-rank defaults). */
export interface SpatialAttrs {
  readonly autoPad: AutoPad;
  readonly kernelShape?: readonly number[];
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly ceilMode: boolean;
}

export interface Geometry {
  readonly kernel: number[];
  readonly strides: number[];
  readonly dilations: number[];
  /** padding before each spatial axis */
  readonly padBegin: number[];
  readonly padEnd: number[];
  readonly out: number[];
}

/**
 * Output sizes and pads of a sliding window over `inSpatial`, following the ONNX rules for
 * explicit pads, SAME_UPPER/SAME_LOWER, VALID and ceil_mode (a window may not start in the end pad).
 */
export function geometry(op: string, inSpatial: readonly number[], kernel: readonly number[], a: SpatialAttrs): Geometry {
  const r = inSpatial.length;
  if (kernel.length !== r) throw new OpError(op, `kernel_shape has ${kernel.length} dims but the input has ${r} spatial dims`);
  const strides = a.strides && a.strides.length ? [...a.strides] : new Array<number>(r).fill(1);
  const dilations = a.dilations && a.dilations.length ? [...a.dilations] : new Array<number>(r).fill(1);
  if (strides.length !== r || dilations.length !== r) throw new OpError(op, `strides/dilations must have ${r} entries`);
  const padBegin = new Array<number>(r).fill(0);
  const padEnd = new Array<number>(r).fill(0);
  const outS = new Array<number>(r);
  for (let i = 0; i < r; i++) {
    const ek = (kernel[i] - 1) * dilations[i] + 1;
    const n = inSpatial[i];
    const s = strides[i];
    if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      const o = Math.ceil(n / s);
      const total = Math.max(0, (o - 1) * s + ek - n);
      const small = Math.floor(total / 2);
      padBegin[i] = a.autoPad === 'SAME_UPPER' ? small : total - small;
      padEnd[i] = total - padBegin[i];
      outS[i] = o;
    } else if (a.autoPad === 'VALID') {
      outS[i] = Math.floor((n - ek) / s) + 1;
      if (a.ceilMode) outS[i] = Math.ceil((n - ek) / s) + 1;
    } else {
      if (a.pads && a.pads.length) {
        if (a.pads.length !== 2 * r) throw new OpError(op, `pads must have ${2 * r} entries, got ${a.pads.length}`);
        padBegin[i] = a.pads[i];
        padEnd[i] = a.pads[i + r];
      }
      const span = n + padBegin[i] + padEnd[i] - ek;
      let o = (a.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      // with ceil_mode the last window must start inside the input or the begin pad
      if (a.ceilMode && (o - 1) * s >= n + padBegin[i]) o--;
      outS[i] = o;
    }
    if (!(outS[i] > 0)) throw new OpError(op, `spatial axis ${i} of size ${n} gives an empty output (kernel ${kernel[i]}, stride ${s})`);
  }
  return { kernel: [...kernel], strides, dilations, padBegin, padEnd, out: outS };
}

/** Static output spatial dims for `infer` (null where an input dim is unknown). */
export function inferSpatial(inSpatial: readonly Dim[], kernel: readonly number[] | undefined, a: SpatialAttrs): Dim[] {
  if (!kernel || !inSpatial.every(known)) return inSpatial.map(() => null);
  try {
    return geometry('', inSpatial as number[], kernel, a).out;
  } catch {
    return inSpatial.map(() => null);
  }
}

export function readSpatialAttrs(a: { string(n: string, d: string): string; ints(n: string): readonly number[] | undefined; int(n: string, d: number): number }, op: string): SpatialAttrs {
  return {
    autoPad: autoPadAttr(op, a.string('auto_pad', 'NOTSET')),
    kernelShape: a.ints('kernel_shape'),
    strides: a.ints('strides'),
    dilations: a.ints('dilations'),
    pads: a.ints('pads'),
    ceilMode: a.int('ceil_mode', 0) !== 0,
  };
}

/** Pads a spatial list (rank 1 or 2) to 3 entries by prepending `fill`, so kernels loop over 3-D. */
export function to3(v: readonly number[], fill: number): [number, number, number] {
  if (v.length > 3) throw new RangeError('at most 3 spatial dims');
  const p = [...new Array<number>(3 - v.length).fill(fill), ...v];
  return [p[0], p[1], p[2]];
}
