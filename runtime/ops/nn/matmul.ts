// MatMul (numpy semantics: batched, broadcast batch dims, 1-D operands), MatMulInteger and Gemm.

import type { Dim, TensorType } from '../../ir/graph';
import { broadcastIndex, broadcastShapes } from '../broadcast';
import { defineOp, OpError } from '../spec';
import type { Tensor } from '../../tensor';
import { gemmAcc, transpose2d } from './gemm';
import { f64, need, out } from './util';

/** numpy matmul of float64 buffers; returns the output dims and values. */
export function matmulCore(op: string, a: Float64Array, aDims: readonly number[], b: Float64Array, bDims: readonly number[]): { dims: number[]; data: Float64Array } {
  if (aDims.length === 0 || bDims.length === 0) throw new OpError(op, 'operands must have rank >= 1');
  const a2 = aDims.length === 1 ? [1, aDims[0]] : aDims;
  const b2 = bDims.length === 1 ? [bDims[0], 1] : bDims;
  const M = a2[a2.length - 2];
  const K = a2[a2.length - 1];
  const N = b2[b2.length - 1];
  if (b2[b2.length - 2] !== K) throw new OpError(op, `inner dims differ: [${aDims.join(',')}] x [${bDims.join(',')}]`);
  const aBatch = a2.slice(0, -2);
  const bBatch = b2.slice(0, -2);
  const batch = broadcastShapes(op, [aBatch, bBatch]);
  const aIdx = broadcastIndex(aBatch, batch);
  const bIdx = broadcastIndex(bBatch, batch);
  const nb = aIdx.length;
  const y = new Float64Array(nb * M * N);
  for (let i = 0; i < nb; i++) gemmAcc(a, aIdx[i] * M * K, b, bIdx[i] * K * N, y, i * M * N, M, K, N);
  const dims = [...batch];
  if (aDims.length > 1) dims.push(M);
  if (bDims.length > 1) dims.push(N);
  return { dims, data: y };
}

/** Static matmul output shape (null dims where unknown). */
export function inferMatmulShape(a: readonly Dim[] | null, b: readonly Dim[] | null): Dim[] | null {
  if (!a || !b || a.length === 0 || b.length === 0) return null;
  const a2 = a.length === 1 ? [1, a[0]] : a;
  const b2 = b.length === 1 ? [b[0], 1] : b;
  const ab = a2.slice(0, -2);
  const bb = b2.slice(0, -2);
  const r = Math.max(ab.length, bb.length);
  const batch: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const x = ab[ab.length - r + i] ?? 1;
    const y = bb[bb.length - r + i] ?? 1;
    batch.push(x === 1 ? y : y === 1 ? x : x === y ? x : typeof x === 'number' && typeof y !== 'number' ? x : typeof y === 'number' ? y : null);
  }
  const dims = batch;
  if (a.length > 1) dims.push(a2[a2.length - 2]);
  if (b.length > 1) dims.push(b2[b2.length - 1]);
  return dims;
}

const tensorType = (dtype: TensorType['dtype'], shape: readonly Dim[] | null): TensorType => ({ kind: 'tensor', dtype, shape });

export const matMul = defineOp({
  op: 'MatMul',
  attrs: () => ({}),
  infer: ([a, b]) => (a ? [tensorType(a.dtype, inferMatmulShape(a.shape, b?.shape ?? null))] : [null]),
  run([aT, bT]) {
    const a = need('MatMul', aT, 'A');
    const b = need('MatMul', bT, 'B');
    if (a.type !== b.type) throw new OpError('MatMul', `A and B must have the same type, got ${a.type} and ${b.type}`);
    const r = matmulCore('MatMul', f64(a), a.dims, f64(b), b.dims);
    return [out(a.type, r.dims, r.data)];
  },
});

/** Subtracts a zero point that is a scalar, or per row (`axis` 0 of a [M,K]) / per column. */
function minusZp(v: Float64Array, dims: readonly number[], zp: Tensor | undefined, perColumn: boolean): Float64Array {
  if (!zp) return v;
  const z = f64(zp);
  const r = new Float64Array(v.length);
  if (z.length <= 1) {
    const z0 = z.length ? z[0] : 0;
    for (let i = 0; i < v.length; i++) r[i] = v[i] - z0;
    return r;
  }
  const cols = dims[dims.length - 1];
  const rows = dims.length > 1 ? dims[dims.length - 2] : 1;
  for (let i = 0; i < v.length; i++) {
    // A's zero point runs along its rows (M), B's along its columns (N)
    const k = perColumn ? i % cols : Math.floor(i / cols) % rows;
    r[i] = v[i] - z[k % z.length];
  }
  return r;
}

export const matMulInteger = defineOp({
  op: 'MatMulInteger',
  attrs: () => ({}),
  infer: ([a, b]) => [tensorType('int32', inferMatmulShape(a?.shape ?? null, b?.shape ?? null))],
  run([aT, bT, az, bz]) {
    const a = need('MatMulInteger', aT, 'A');
    const b = need('MatMulInteger', bT, 'B');
    const av = minusZp(f64(a), a.dims, az, false);
    const bv = minusZp(f64(b), b.dims, bz, true);
    const r = matmulCore('MatMulInteger', av, a.dims, bv, b.dims);
    return [out('int32', r.dims, r.data)];
  },
});

interface GemmAttrs {
  readonly alpha: number;
  readonly beta: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

export const gemm = defineOp<GemmAttrs>({
  op: 'Gemm',
  attrs: (a) => ({
    alpha: a.float('alpha', 1),
    beta: a.float('beta', 1),
    transA: a.int('transA', 0) !== 0,
    transB: a.int('transB', 0) !== 0,
  }),
  infer([a, b], at) {
    if (!a) return [null];
    const as = a.shape;
    const bs = b?.shape;
    const M = as && as.length === 2 ? as[at.transA ? 1 : 0] : null;
    const N = bs && bs.length === 2 ? bs[at.transB ? 0 : 1] : null;
    return [tensorType(a.dtype, [M, N])];
  },
  run([aT, bT, cT], at) {
    const a = need('Gemm', aT, 'A');
    const b = need('Gemm', bT, 'B');
    if (a.dims.length !== 2 || b.dims.length !== 2) throw new OpError('Gemm', `A and B must be 2-D, got [${a.dims.join(',')}] and [${b.dims.join(',')}]`);
    const [M, K] = at.transA ? [a.dims[1], a.dims[0]] : [a.dims[0], a.dims[1]];
    const [Kb, N] = at.transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
    if (K !== Kb) throw new OpError('Gemm', `inner dims differ: A gives K=${K}, B gives K=${Kb}`);
    const av = at.transA ? transpose2d(f64(a), 0, a.dims[0], a.dims[1]) : f64(a);
    const y = new Float64Array(M * N);
    gemmAcc(av, 0, f64(b), 0, y, 0, M, K, N, at.transB);
    if (at.alpha !== 1) for (let i = 0; i < y.length; i++) y[i] *= at.alpha;
    if (cT && at.beta !== 0) {
      const c = f64(cT);
      const shape = broadcastShapes('Gemm', [cT.dims, [M, N]]);
      if (shape.length !== 2 || shape[0] !== M || shape[1] !== N) throw new OpError('Gemm', `C must broadcast to [${M},${N}], got [${cT.dims.join(',')}]`);
      const idx = broadcastIndex(cT.dims, [M, N]);
      for (let i = 0; i < y.length; i++) y[i] += at.beta * c[idx[i]];
    }
    return [out(a.type, [M, N], y)];
  },
});
