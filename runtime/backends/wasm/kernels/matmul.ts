// MatMul (numpy batching and broadcasting, 1-D operands) and Gemm (transposes, alpha, beta, C) on
// the packed GEMM: constant B is packed here once (alpha folded in); a B computed at run time is
// packed into scratch by pack_b_f32 first. A C that is one row becomes the bias; any other C is
// added after the product, with the fused activation moved onto that add.

import { broadcastShapes } from '../../../ops/broadcast';
import { stridesOf } from '../../../tensor';
import { epilogueArgs, epilogueOf, NO_EPILOGUE } from '../activation';
import { BINARY } from '../codes';
import { Calls, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import type { ValueDesc } from '../layout';
import { copyStrided } from './copy';
import { emitBinary } from './elementwise';
import { floats, packMatrices, paddedBias } from './pack';

const panelBytes = (K: number, N: number) => Math.ceil(N / 8) * 8 * K * 4;
const offsetBy = (a: Addr, bytes: number): Addr => ({ ...a, offset: (a.offset ?? 0) + bytes });

/** For each output batch index, the flat batch index into an operand with batch dims `dims`. */
function batchMap(dims: readonly number[], batch: readonly number[]): number[] {
  const off = batch.length - dims.length;
  const s = stridesOf(dims);
  const out: number[] = [];
  const n = batch.reduce((a, b) => a * b, 1);
  for (let i = 0; i < n; i++) {
    let rem = i, flat = 0;
    for (let ax = batch.length - 1; ax >= 0; ax--) {
      const coord = rem % batch[ax];
      rem = (rem - coord) / batch[ax];
      const k = ax - off;
      if (k >= 0 && dims[k] !== 1) flat += coord * s[k];
    }
    out.push(flat);
  }
  return out;
}

function lowerMatMul({ node, inputs, constants }: LowerArgs): Lowering {
  const [a, b] = inputs;
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32') return unsupported(`no kernel for ${a?.dtype} × ${b?.dtype}`);
  const epi = epilogueOf(node);
  if (!epi) return unsupported('fused activation not applicable');
  const aDims = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bDims = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const [M, K] = aDims.slice(-2), N = bDims[bDims.length - 1];
  if (bDims[bDims.length - 2] !== K) return unsupported(`inner dims differ: ${K} and ${bDims[bDims.length - 2]}`);
  const aBatch = aDims.slice(0, -2), bBatch = bDims.slice(0, -2);
  const batch = broadcastShapes('MatMul', [aBatch, bBatch]);
  const aOf = batchMap(aBatch, batch), bOf = batchMap(bBatch, batch);
  const c = new Calls();
  const act = epilogueArgs(epi);
  if (M * N === 0 || aOf.length === 0) return c.done();
  const pb = panelBytes(K, N);
  const bCount = bBatch.reduce((x, y) => x * y, 1);
  let bp: Addr;
  const bt = constants[1];
  if (bt) {
    const v = floats(bt);
    bp = c.const(packMatrices(v, bCount, K, N, N, 1));
  } else {
    bp = c.needScratch(pb);
    if (bCount === 1) c.call('pack_b_f32', input(1), N, 1, K, N, bp, 1);
  }
  // one product over all rows when every batch reads the same B and A is not broadcast
  const aFull = aOf.every((f, i) => f === i);
  if (bCount === 1 && aFull) {
    c.call('gemm_f32', input(0), K, bp, output(0), N, aOf.length * M, N, K, 0, ...act);
    return c.done();
  }
  aOf.forEach((fa, i) => {
    let bi = bp;
    if (bt) bi = offsetBy(bp, bOf[i] * pb);
    else if (bCount > 1) c.call('pack_b_f32', input(1, bOf[i] * K * N * 4), N, 1, K, N, bp, 1);
    c.call('gemm_f32', input(0, fa * M * K * 4), K, bi, output(0, i * M * N * 4), N, M, N, K, 0, ...act);
  });
  return c.done();
}

interface GemmAttrs {
  readonly alpha: number;
  readonly beta: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

function lowerGemm({ node, attrs, inputs, constants, outputs }: LowerArgs<GemmAttrs>): Lowering {
  const [a, b, cIn] = inputs;
  if (!a || !b || a.dtype !== 'float32' || b.dtype !== 'float32' || (cIn && cIn.dtype !== 'float32')) return unsupported('no kernel for these dtypes');
  const epi = epilogueOf(node);
  if (!epi) return unsupported('fused activation not applicable');
  const [M, N] = outputs[0].dims;
  const K = attrs.transA ? a.dims[0] : a.dims[1];
  const c = new Calls();
  if (M * N === 0) return c.done();
  let aAddr: Addr = input(0);
  if (attrs.transA) {
    // Aᵀ gathered row-major into scratch
    aAddr = c.needScratch(M * K * 4);
    copyStrided(c, 'float32', input(0), aAddr, [M, K], [1, M]);
  }
  let bp: Addr;
  const bt = constants[1];
  if (bt) {
    const v = floats(bt);
    bp = c.const(packMatrices(v, 1, K, N, attrs.transB ? 1 : N, attrs.transB ? K : 1, attrs.alpha));
  } else {
    bp = c.needScratch(panelBytes(K, N));
    c.call('pack_b_f32', input(1), attrs.transB ? 1 : N, attrs.transB ? K : 1, K, N, bp, attrs.alpha);
  }
  // C: absent, a row (the bias), or anything else (added afterwards)
  let bias: Addr | 0 = 0;
  let after: { addr: Addr; desc: ValueDesc } | undefined;
  if (cIn && attrs.beta !== 0) {
    const ct = constants[2];
    const size = cIn.dims.reduce((x, y) => x * y, 1);
    const row = cIn.dims.length <= 1 || (cIn.dims.length === 2 && cIn.dims[0] === 1);
    if (ct && (size === 1 || (row && size === N))) {
      const v = floats(ct);
      bias = c.const(paddedBias(v, 1, N, attrs.beta, size === 1));
    } else if (ct) {
      const v = floats(ct);
      after = { addr: c.const(Float32Array.from(v, (x) => attrs.beta * x)), desc: { ...cIn, layout: 'plain' } };
    } else if (attrs.beta === 1) {
      after = { addr: input(2), desc: cIn };
    } else {
      // β·C into scratch first
      const scaled = c.needScratch(size * 4);
      const one: ValueDesc = { dtype: 'float32', dims: [], layout: 'plain' };
      emitBinary(c, BINARY.Mul, input(2), cIn, c.const(Float32Array.of(attrs.beta)), one, scaled, cIn.dims, 'plain', NO_EPILOGUE);
      after = { addr: scaled, desc: { ...cIn, layout: 'plain' } };
    }
  }
  const first = after ? NO_EPILOGUE : epi;
  c.call('gemm_f32', aAddr, K, bp, output(0), N, M, N, K, bias, ...epilogueArgs(first));
  if (after) emitBinary(c, BINARY.Add, output(0), { dtype: 'float32', dims: [M, N], layout: 'plain' }, after.addr, after.desc, output(0), [M, N], 'plain', epi);
  return c.done();
}

export const matmulKernels: Record<string, WasmKernel> = {
  MatMul: { lower: lowerMatMul },
  Gemm: { lower: lowerGemm as WasmKernel['lower'] },
};
