// Output comparison with the project's tolerances, the one place they are stated, per backend and dtype.

import { isTensor, toNumbers, type Tensor, type Value } from '../runtime/tensor';

export interface Tolerance {
  /** relative tolerance */
  readonly rtol: number;
  /** absolute tolerance */
  readonly atol: number;
}

/** ONNX's own runner: rtol 1e-3, atol 1e-7 for floats; narrow floats, integers, bools and strings exact. */
const TOLERANCES: Record<string, Partial<Record<string, Tolerance>>> = {
  reference: {
    float32: { rtol: 1e-3, atol: 1e-7 },
    float64: { rtol: 1e-3, atol: 1e-7 },
    float16: { rtol: 1e-3, atol: 1e-3 },
    bfloat16: { rtol: 1e-2, atol: 1e-2 },
    // narrow floats convert bit-exactly (round to nearest even), so their values must match exactly
    float8e4m3fn: { rtol: 0, atol: 0 },
    float8e4m3fnuz: { rtol: 0, atol: 0 },
    float8e5m2: { rtol: 0, atol: 0 },
    float8e5m2fnuz: { rtol: 0, atol: 0 },
    float8e8m0: { rtol: 0, atol: 0 },
    float4e2m1: { rtol: 0, atol: 0 },
  },
};

/** Real-model parity against onnxruntime-node: the foundation's bar, max abs 1e-4 (reference backend). */
export const MODEL_MAX_ABS = 1e-4;
/** The general bar: max abs within this fraction of the output's scale (max |x|), fp32. */
export const MODEL_REL = 1e-3;

/** The largest allowed max-abs difference for a real model's output of scale `scale` on `backend`. */
export function modelBound(backend: string, scale: number): number {
  return backend === 'reference' ? Math.max(MODEL_MAX_ABS, MODEL_REL * scale) : MODEL_REL * scale;
}

export function toleranceFor(backend: string, dtype: string): Tolerance {
  return TOLERANCES[backend]?.[dtype] ?? TOLERANCES.reference[dtype] ?? { rtol: 0, atol: 0 };
}

/** Why `got` differs from `want` beyond tolerance, or null when they match. */
export function compareValues(backend: string, got: Value | undefined, want: Value, where = 'output'): string | null {
  if (want === null) return got === null || got === undefined ? null : `${where}: expected an empty optional`;
  if (got === null || got === undefined) return `${where}: missing`;
  if (!isTensor(want)) {
    if (isTensor(got)) return `${where}: expected a sequence, got a tensor`;
    if (got.items.length !== want.items.length) return `${where}: sequence length ${got.items.length}, expected ${want.items.length}`;
    for (let i = 0; i < want.items.length; i++) {
      const r = compareValues(backend, got.items[i], want.items[i], `${where}[${i}]`);
      if (r) return r;
    }
    return null;
  }
  if (!isTensor(got)) return `${where}: expected a tensor, got a sequence`;
  return compareTensors(backend, got, want, where);
}

export function compareTensors(backend: string, got: Tensor, want: Tensor, where = 'output'): string | null {
  if (got.type !== want.type) return `${where}: type ${got.type}, expected ${want.type}`;
  if (got.dims.length !== want.dims.length || got.dims.some((d, i) => d !== want.dims[i])) {
    return `${where}: shape [${got.dims}], expected [${want.dims}]`;
  }
  if (want.type === 'string') {
    const g = got.data as string[], w = want.data as string[];
    const i = w.findIndex((s, k) => s !== g[k]);
    return i < 0 ? null : `${where}[${i}]: '${g[i]}', expected '${w[i]}'`;
  }
  if (want.type === 'int64' || want.type === 'uint64') {
    const g = got.data as BigInt64Array, w = want.data as BigInt64Array;
    for (let i = 0; i < w.length; i++) if (g[i] !== w[i]) return `${where}[${i}]: ${g[i]}, expected ${w[i]}`;
    return null;
  }
  const { rtol, atol } = toleranceFor(backend, want.type);
  const g = toNumbers(got), w = toNumbers(want);
  for (let i = 0; i < w.length; i++) {
    const a = g[i], b = w[i];
    if (Number.isNaN(b) ? Number.isNaN(a) : a === b || Math.abs(a - b) <= atol + rtol * Math.abs(b)) continue;
    return `${where}[${i}]: ${a}, expected ${b} (rtol ${rtol}, atol ${atol})`;
  }
  return null;
}

/** Largest absolute difference between two float tensors of one shape. */
export function maxAbsDiff(a: Tensor, b: Tensor): number {
  const x = toNumbers(a), y = toNumbers(b);
  if (x.length !== y.length) return Infinity;
  let m = 0;
  for (let i = 0; i < x.length; i++) m = Math.max(m, Math.abs(x[i] - y[i]));
  return m;
}
