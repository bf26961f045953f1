// MatMul (numpy: batched, broadcast batch dims, 1-D operands) and Gemm (transA/transB, alpha,
// beta, C broadcast) on the shared tiled GEMM template (./gemm-template), f32 only, with the fused
// activation in the store. A one-row Gemm with B transposed (a classifier at batch 1: [1, K] by
// weights [N, K]) is a matrix-vector product instead: a workgroup per output reads its weight row
// coalesced and sums it, one dispatch, where the template needed a split-K pass and its sum and
// the slowest shader of a model to compile after the stem (84 ms cold on the H200).
// The GEMMs' configurations: the defaults for the shape or a tuning run's choice (args.gemmChoice).

import type { DType } from '../../../tensor';
import type { KernelGenerator, Lowering } from '../kernel';
import { kernelDims, unsupported } from '../kernel';
import { scalarOf } from '../storage';
import { broadcastOffset, declareBuffers, f32Lit, grid1d, usesSubgroups, type KernelDims } from '../wgsl';
import { activationExpr, fusedActivation, helpersFor } from './activation';
import { gemmDispatches, tunedGemm, type GemmBuffer } from './gemm-template';
import { groupMain, workgroupReduce } from './reduce-template';

const isF32 = (d: { readonly dtype: DType } | undefined) => !!d && scalarOf(d.dtype) === 'f32';
const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function done(d: ReturnType<typeof gemmDispatches>): Lowering {
  return typeof d === 'string' ? unsupported(d) : { kind: 'dispatch', dispatches: d };
}

const input = (name: string, index: number, vec4 = false): GemmBuffer =>
  ({ decl: { name, type: vec4 ? 'vec4<f32>' : 'f32', access: 'read' }, binding: { kind: 'input', index } });
const output: GemmBuffer = { decl: { name: 'k_y', type: 'f32', access: 'read_write' }, binding: { kind: 'output', index: 0 } };

export function matMulKernel(): KernelGenerator {
  return (args) => {
    const { node, inputs, outputs } = args;
    const [a, b] = inputs;
    if (!a || !b || !isF32(a) || !isF32(b)) return unsupported(`MatMul has no GPU kernel for ${a?.dtype} × ${b?.dtype}`);
    const act = activationExpr(fusedActivation(node), 'k_r');
    if (act === undefined) return unsupported('unknown fused activation');
    const a2 = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
    const b2 = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
    const M = a2[a2.length - 2];
    const K = a2[a2.length - 1];
    const N = b2[b2.length - 1];
    const out = outputs[0].dims;
    const total = size(out);
    if (total === 0) return { kind: 'dispatch', dispatches: [] };
    const batch = total / (M * N);
    // the batch dims of the output, against which each operand's batch dims broadcast
    const batchDims = out.slice(0, out.length - (a.dims.length > 1 ? 1 : 0) - (b.dims.length > 1 ? 1 : 0));
    const { config: cfg, tuneKey } = tunedGemm({ kind: 'matmul', batch, M, N, K, canVec4: true }, args.gemmChoice);
    const d = kernelDims(args);
    const setup = `  ${broadcastOffset('k_ab', 'k_b', a2.slice(0, -2), batchDims, d)}
  ${broadcastOffset('k_bb', 'k_b', b2.slice(0, -2), batchDims, d)}
  let k_abase = k_ab * ${d.u('MK', M * K)};
  let k_bbase = k_bb * ${d.u('KN', K * N)};`;
    return done(gemmDispatches({
      label: 'matmul', tuneKey, batch, M, N, K,
      loadBuffers: [input('k_a', 0), input('k_bm', 1, cfg.vec4B)],
      storeBuffers: [output],
      setup,
      a: { load: (_b, m, k) => `k_a[k_abase + ${m} * ${d.u('K', K)} + ${k}]`, kContiguous: true },
      b: {
        load: (_b, k, n) => `k_bm[k_bbase + ${k} * ${d.u('N', N)} + ${n}]`,
        load4: (_b, k, n) => `k_bm[(k_bbase + ${k} * ${d.u('N', N)} + ${n}) / 4u]`,
        kContiguous: false,
      },
      store: (acc) => `let k_r = ${acc}; k_y[k_b * ${d.u('MN', M * N)} + k_m * ${d.u('N', N)} + k_n] = ${act};`,
      config: cfg,
      dims: d,
    }));
  };
}

interface GemmAttrs {
  readonly alpha: number;
  readonly beta: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

export function gemmKernel(): KernelGenerator<GemmAttrs> {
  return (args) => {
    const { node, attrs, inputs, outputs } = args;
    const [a, b, c] = inputs;
    if (!a || !b || !isF32(a) || !isF32(b) || (c && !isF32(c))) return unsupported(`Gemm has no GPU kernel for ${a?.dtype} × ${b?.dtype}`);
    if (a.dims.length !== 2 || b.dims.length !== 2) return unsupported('Gemm needs 2-D A and B');
    const act = activationExpr(fusedActivation(node), 'k_r');
    if (act === undefined) return unsupported('unknown fused activation');
    const [M, K] = attrs.transA ? [a.dims[1], a.dims[0]] : a.dims;
    const N = attrs.transB ? b.dims[0] : b.dims[1];
    if (M * N === 0) return { kind: 'dispatch', dispatches: [] };
    const useC = !!c && attrs.beta !== 0 && size(c.dims) > 0;
    const kind = `gemm${attrs.transA ? '_ta' : ''}${attrs.transB ? '_tb' : ''}`;
    const { config: cfg, tuneKey } = tunedGemm({ kind, batch: 1, M, N, K, canVec4: !attrs.transB }, args.gemmChoice);
    const d = kernelDims(args);
    let value = attrs.alpha === 1 ? 'k_acc' : `${f32Lit(attrs.alpha)} * k_acc`;
    if (useC && c) {
      // C broadcasts (numpy) to [M, N]: right-align its dims
      const cm = c.dims.length >= 2 ? c.dims[c.dims.length - 2] : 1;
      const cn = c.dims.length >= 1 ? c.dims[c.dims.length - 1] : 1;
      const idx = [cm === 1 ? '' : `k_m * ${d.u('cn', cn)}`, cn === 1 ? '' : 'k_n'].filter(Boolean).join(' + ') || '0u';
      value = `${value} + ${attrs.beta === 1 ? '' : `${f32Lit(attrs.beta)} * `}k_c[${idx}]`;
    }
    if (M === 1 && attrs.transB) return gemv(d, N, K, value, act, useC, args.subgroups ?? false);
    return done(gemmDispatches({
      label: 'gemm', tuneKey, batch: 1, M, N, K,
      loadBuffers: [input('k_a', 0), input('k_bm', 1, cfg.vec4B)],
      storeBuffers: [...(useC ? [input('k_c', 2)] : []), output],
      a: attrs.transA
        ? { load: (_b, m, k) => `k_a[${k} * ${d.u('M', M)} + ${m}]`, kContiguous: false }
        : { load: (_b, m, k) => `k_a[${m} * ${d.u('K', K)} + ${k}]`, kContiguous: true },
      b: attrs.transB
        ? { load: (_b, k, n) => `k_bm[${n} * ${d.u('K', K)} + ${k}]`, kContiguous: true }
        : { load: (_b, k, n) => `k_bm[${k} * ${d.u('N', N)} + ${n}]`, load4: (_b, k, n) => `k_bm[(${k} * ${d.u('N', N)} + ${n}) / 4u]`, kContiguous: false },
      store: (acc) => `let k_acc = ${acc}; let k_r = ${value}; k_y[k_m * ${d.u('N', N)} + k_n] = ${act};`,
      config: cfg,
      dims: d,
    }));
  };
}

/** WIDTH invocations share each output's K products (at K = 1280, 20 each). */
const GEMV_WIDTH = 64;

/** y[n] = store(Σ_k a[k]·w[n, k]): a workgroup per n; `value` and `act` as gemmKernel's store. */
function gemv(d: KernelDims, N: number, K: number, value: string, act: string, useC: boolean, subgroups: boolean): Lowering {
  const reduce = workgroupReduce('sum', 'f32', GEMV_WIDTH, (x, y) => `${x} + ${y}`, subgroups);
  const body = `  var k_s = 0.0f;
  let k_row = g * ${d.u('K', K)};
  for (var j = lid; j < ${d.u('K', K)}; j = j + ${GEMV_WIDTH}u) { k_s = fma(k_a[j], k_bm[k_row + j], k_s); }
  let k_acc = k_wg_sum(k_s, lid);
  if (lid == 0u) { let k_m = 0u; let k_n = g; let k_r = ${value}; k_y[k_n] = ${act}; }`;
  const main = groupMain(d.u('N', N), GEMV_WIDTH, body, usesSubgroups(reduce));
  const buffers = [input('k_a', 0), input('k_bm', 1), ...(useC ? [input('k_c', 2)] : []), output];
  const wgsl = `${declareBuffers(buffers.map((b) => b.decl))}\n${d.declare(buffers.length)}\n${reduce}\n${helpersFor(main)}\n${main}`;
  return {
    kind: 'dispatch',
    dispatches: [{ wgsl, workgroups: grid1d(N, 1), bindings: buffers.map((b) => b.binding), label: 'gemv', uniforms: d.words() }],
  };
}

export const matmulKernels: Record<string, KernelGenerator> = {
  MatMul: matMulKernel(),
  Gemm: gemmKernel() as KernelGenerator,
};
