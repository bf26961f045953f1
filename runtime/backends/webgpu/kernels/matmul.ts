// MatMul (numpy: batched, broadcast batch dims, 1-D operands) and Gemm (transA/transB, alpha,
// beta, C broadcast) on the shared tiled GEMM template (./gemm-template), f32 only, with the fused
// activation in the store. Knobs: `knobs` (GemmConfig) per generator, for an autotuner.

import type { DType } from '../../../tensor';
import type { KernelGenerator, Lowering } from '../kernel';
import { kernelDims, unsupported } from '../kernel';
import { scalarOf } from '../storage';
import { broadcastOffset, f32Lit } from '../wgsl';
import { activationExpr, fusedActivation } from './activation';
import { gemmConfig, gemmDispatches, type GemmBuffer, type GemmConfig } from './gemm-template';

const isF32 = (d: { readonly dtype: DType } | undefined) => !!d && scalarOf(d.dtype) === 'f32';
const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

function done(d: ReturnType<typeof gemmDispatches>): Lowering {
  return typeof d === 'string' ? unsupported(d) : { kind: 'dispatch', dispatches: d };
}

const input = (name: string, index: number, vec4 = false): GemmBuffer =>
  ({ decl: { name, type: vec4 ? 'vec4<f32>' : 'f32', access: 'read' }, binding: { kind: 'input', index } });
const output: GemmBuffer = { decl: { name: 'k_y', type: 'f32', access: 'read_write' }, binding: { kind: 'output', index: 0 } };

export function matMulKernel(knobs?: Partial<GemmConfig>): KernelGenerator {
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
    const cfg = gemmConfig(M, N, K, batch, true, knobs);
    const d = kernelDims(args);
    const setup = `  ${broadcastOffset('k_ab', 'k_b', a2.slice(0, -2), batchDims, d)}
  ${broadcastOffset('k_bb', 'k_b', b2.slice(0, -2), batchDims, d)}
  let k_abase = k_ab * ${d.u('MK', M * K)};
  let k_bbase = k_bb * ${d.u('KN', K * N)};`;
    return done(gemmDispatches({
      label: 'matmul', batch, M, N, K,
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

export function gemmKernel(knobs?: Partial<GemmConfig>): KernelGenerator<GemmAttrs> {
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
    const cfg = gemmConfig(M, N, K, 1, !attrs.transB, knobs);
    const d = kernelDims(args);
    let value = attrs.alpha === 1 ? 'k_acc' : `${f32Lit(attrs.alpha)} * k_acc`;
    if (useC && c) {
      // C broadcasts (numpy) to [M, N]: right-align its dims
      const cm = c.dims.length >= 2 ? c.dims[c.dims.length - 2] : 1;
      const cn = c.dims.length >= 1 ? c.dims[c.dims.length - 1] : 1;
      const idx = [cm === 1 ? '' : `k_m * ${d.u('cn', cn)}`, cn === 1 ? '' : 'k_n'].filter(Boolean).join(' + ') || '0u';
      value = `${value} + ${attrs.beta === 1 ? '' : `${f32Lit(attrs.beta)} * `}k_c[${idx}]`;
    }
    return done(gemmDispatches({
      label: 'gemm', batch: 1, M, N, K,
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

export const matmulKernels: Record<string, KernelGenerator> = {
  MatMul: matMulKernel(),
  Gemm: gemmKernel() as KernelGenerator,
};
