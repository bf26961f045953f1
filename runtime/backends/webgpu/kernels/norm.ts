// Normalisations: LayerNormalization, RMSNormalization, GroupNormalization, InstanceNormalization,
// MeanVarianceNormalization and LpNormalization as one workgroup per normalised group (two-pass
// moments by workgroup tree sums, then the affine write); BatchNormalization (inference, when not
// folded into a Conv) as an elementwise map with per-channel operands; LRN as a windowed map.

import { normAxis } from '../../../ops/broadcast';
import type { Binding, KernelGenerator, LowerArgs, Lowering, ValueDesc } from '../kernel';
import { scalarOf } from '../storage';
import { broadcastOffset, declareBuffers, f32Lit, flatMain, grid1d, type BufferDecl } from '../wgsl';
import { activationExpr, fusedActivation } from './activation';
import { mapKernel } from './elementwise-map';
import { groupDispatch, groupLayout, strided, workgroupFor, workgroupReduce, type GroupLayout } from './reduce-template';

const notFloat = (op: string, x: ValueDesc | undefined): Lowering | undefined =>
  !x || scalarOf(x.dtype) !== 'f32' ? { kind: 'unsupported', reason: `${op} has no GPU kernel for ${x?.dtype}` } : undefined;

/** Buffers: X first, then the given optional inputs, then the present outputs (in node order). */
function buffersOf(args: LowerArgs, inputs: readonly number[]): { decls: string; bindings: Binding[]; has: (name: string) => boolean } {
  const decls: BufferDecl[] = [{ name: 'k_x', type: 'f32', access: 'read' }];
  const bindings: Binding[] = [{ kind: 'input', index: 0 }];
  const names = new Set<string>();
  for (const i of inputs) {
    if (!args.inputs[i]) continue;
    decls.push({ name: `k_in${i}`, type: 'f32', access: 'read' });
    bindings.push({ kind: 'input', index: i });
    names.add(`k_in${i}`);
  }
  args.node.outputs.forEach((o, i) => {
    if (!o || !args.outputs[i]) return;
    decls.push({ name: `k_out${i}`, type: 'f32', access: 'read_write' });
    bindings.push({ kind: 'output', index: i });
    names.add(`k_out${i}`);
  });
  return { decls: declareBuffers(decls), bindings, has: (n) => names.has(n) };
}

/** WGSL statements: `mean` (when `centered`) and `variance` (or mean square) of the group. */
function moments(layout: GroupLayout, width: number, centered: boolean): string {
  const at = `k_x[base + ${layout.offset('j')}]`;
  const n = f32Lit(layout.len);
  const mean = centered
    ? `  var k_s = 0.0f;\n${strided(layout.len, width, `    k_s = k_s + ${at};`)}\n  let mean = k_wg_sum(k_s, lid) / ${n};\n`
    : '  let mean = 0.0f;\n';
  return `${mean}  var k_q = 0.0f;
${strided(layout.len, width, `    let d = ${at} - mean;\n    k_q = k_q + d * d;`)}
  let variance = k_wg_sum(k_q, lid) / ${n};`;
}

const SUM = (width: number, subgroups?: boolean) => workgroupReduce('sum', 'f32', width, (a, b) => `${a} + ${b}`, subgroups);

/**
 * A normalising kernel: per group, `stats` (which defines `mean` and `factor`), then every element
 * written as act((x - mean) * factor * scale + bias); `scale`/`bias` are WGSL of the flat index p.
 */
function normKernel(
  args: LowerArgs, label: string, layout: GroupLayout, extra: readonly number[], stats: string,
  affine: { scale?: (p: string) => string; bias?: (p: string) => string }, tail = '',
): Lowering {
  const value = activationExpr(fusedActivation(args.node), `y`);
  if (value === undefined) return { kind: 'unsupported', reason: 'unknown fused activation' };
  const width = workgroupFor(layout.len);
  const buf = buffersOf(args, extra);
  const scale = affine.scale ? ` * ${affine.scale('p')}` : '';
  const bias = affine.bias ? ` + ${affine.bias('p')}` : '';
  const body = `${stats}
${strided(layout.len, width, `    let p = base + ${layout.offset('j')};
    let y = (k_x[p] - mean) * factor${scale}${bias};
    k_out0[p] = ${value};`)}
${tail}`;
  return groupDispatch(label, layout, width, `${buf.decls}\n${SUM(width, args.subgroups)}`, body, buf.bindings);
}

/** Reads input `i` broadcast against X at flat index p (numpy rules). */
const broadcastRead = (args: LowerArgs, i: number) => (p: string): string => {
  const t = args.inputs[i];
  const x = args.inputs[0];
  if (!t || !x) return '0.0f';
  const off = broadcastOffset('k_o', p, t.dims, x.dims).replace(/^let k_o = (.*);$/, '$1');
  return `k_in${i}[${off}]`;
};

interface LayerNormAttrs {
  readonly axis: number;
  readonly epsilon: number;
}

const layerNorm: KernelGenerator<LayerNormAttrs> = (args) => {
  const x = args.inputs[0];
  const bad = notFloat('LayerNormalization', x);
  if (bad || !x) return bad ?? { kind: 'unsupported', reason: 'no input' };
  const rank = x.dims.length;
  const axis = normAxis('LayerNormalization', args.attrs.axis, rank);
  const layout = groupLayout(x.dims, x.dims.map((_, i) => i).filter((i) => i >= axis));
  const width = workgroupFor(layout.len);
  const stats = `${moments(layout, width, true)}\n  let factor = 1.0f / sqrt(variance + ${f32Lit(args.attrs.epsilon)});`;
  const outs = args.node.outputs;
  const tail = [outs[1] && args.outputs[1] ? '    k_out1[g] = mean;' : '', outs[2] && args.outputs[2] ? '    k_out2[g] = factor;' : '']
    .filter(Boolean).join('\n');
  return normKernel(args as LowerArgs, 'layernorm', layout, [1, 2], stats,
    { scale: broadcastRead(args as LowerArgs, 1), bias: args.inputs[2] ? broadcastRead(args as LowerArgs, 2) : undefined },
    tail ? `  if (lid == 0u) {\n${tail}\n  }` : '');
};

const rmsNorm: KernelGenerator<LayerNormAttrs> = (args) => {
  const x = args.inputs[0];
  const bad = notFloat('RMSNormalization', x);
  if (bad || !x) return bad ?? { kind: 'unsupported', reason: 'no input' };
  const axis = normAxis('RMSNormalization', args.attrs.axis, x.dims.length);
  const layout = groupLayout(x.dims, x.dims.map((_, i) => i).filter((i) => i >= axis));
  const width = workgroupFor(layout.len);
  const stats = `${moments(layout, width, false)}\n  let factor = 1.0f / sqrt(variance + ${f32Lit(args.attrs.epsilon)});`;
  return normKernel(args as LowerArgs, 'rmsnorm', layout, [1], stats, { scale: broadcastRead(args as LowerArgs, 1) });
};

/** Group and instance norm over the view (N, G, C/G · spatial); scale/bias per channel or per group. */
function groupNorm(args: LowerArgs, op: string, groups: number, epsilon: number): Lowering {
  const x = args.inputs[0];
  const bad = notFloat(op, x);
  if (bad || !x) return bad ?? { kind: 'unsupported', reason: 'no input' };
  const [n, c] = x.dims;
  if (x.dims.length < 2 || groups <= 0 || c % groups !== 0) return { kind: 'unsupported', reason: `${op}: ${groups} groups over ${c} channels` };
  const spatial = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const layout = groupLayout([n * groups, (c / groups) * spatial], [1]);
  const width = workgroupFor(layout.len);
  const scaleSize = args.inputs[1]?.dims.reduce((a, b) => a * b, 1) ?? c;
  const perGroup = scaleSize === groups && groups !== c;
  const channel = (p: string) => `((${p} / ${spatial}u) % ${c}u)${perGroup ? ` / ${c / groups}u` : ''}`;
  const stats = `${moments(layout, width, true)}\n  let factor = 1.0f / sqrt(variance + ${f32Lit(epsilon)});`;
  return normKernel(args, op === 'InstanceNormalization' ? 'instancenorm' : 'groupnorm', layout, [1, 2], stats, {
    scale: (p) => `k_in1[${channel(p)}]`,
    bias: (p) => `k_in2[${channel(p)}]`,
  });
}

const mvn: KernelGenerator<{ axes: readonly number[] }> = (args) => {
  const x = args.inputs[0];
  const bad = notFloat('MeanVarianceNormalization', x);
  if (bad || !x) return bad ?? { kind: 'unsupported', reason: 'no input' };
  const axes = [...new Set(args.attrs.axes.map((a) => normAxis('MeanVarianceNormalization', a, x.dims.length)))].sort((a, b) => a - b);
  const layout = groupLayout(x.dims, axes);
  // the ONNX function body divides by sqrt(var) + 1e-9, not sqrt(var + eps)
  const stats = `${moments(layout, workgroupFor(layout.len), true)}\n  let factor = 1.0f / (sqrt(variance) + 1e-9f);`;
  return normKernel(args as LowerArgs, 'mvn', layout, [], stats, {});
};

const lpNorm: KernelGenerator<{ axis: number; p: number }> = (args) => {
  const x = args.inputs[0];
  const bad = notFloat('LpNormalization', x);
  if (bad || !x) return bad ?? { kind: 'unsupported', reason: 'no input' };
  if (args.attrs.p !== 1 && args.attrs.p !== 2) return { kind: 'unsupported', reason: `LpNormalization with p=${args.attrs.p}` };
  const layout = groupLayout(x.dims, [normAxis('LpNormalization', args.attrs.axis, x.dims.length)]);
  const width = workgroupFor(layout.len);
  const term = args.attrs.p === 1 ? 'abs(v)' : 'v * v';
  const stats = `  var k_q = 0.0f;
${strided(layout.len, width, `    let v = k_x[base + ${layout.offset('j')}];\n    k_q = k_q + ${term};`)}
  let norm = ${args.attrs.p === 1 ? 'k_wg_sum(k_q, lid)' : 'sqrt(k_wg_sum(k_q, lid))'};
  let mean = 0.0f;
  // an all-zero slice stays zero rather than becoming NaN
  let factor = select(0.0f, 1.0f / norm, norm != 0.0f);`;
  return normKernel(args as LowerArgs, 'lpnorm', layout, [], stats, {});
};

interface BatchNormAttrs {
  readonly epsilon: number;
  readonly momentum: number;
  readonly training: boolean;
}

/**
 * Training-mode BatchNormalization: the batch's own per-channel statistics (a workgroup per
 * channel), and the running mean/var outputs blended with `momentum`.
 */
function batchNormTraining(args: LowerArgs<BatchNormAttrs>, attrs: BatchNormAttrs): Lowering {
  const x = args.inputs[0];
  if (!x || x.dims.length < 2 || [1, 2, 3, 4].some((i) => !args.inputs[i])) return { kind: 'unsupported', reason: 'BatchNormalization needs X, scale, B, mean and var' };
  const c = x.dims[1];
  const inner = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const layout = groupLayout(x.dims, x.dims.map((_, i) => i).filter((i) => i !== 1));
  const width = workgroupFor(layout.len);
  const m = f32Lit(attrs.momentum);
  const stats = `${moments(layout, width, true)}\n  let factor = 1.0f / sqrt(variance + ${f32Lit(attrs.epsilon)});`;
  const outs = args.node.outputs;
  const tail = [
    outs[1] && args.outputs[1] ? `    k_out1[g] = k_in3[g] * ${m} + mean * (1.0f - ${m});` : '',
    outs[2] && args.outputs[2] ? `    k_out2[g] = k_in4[g] * ${m} + variance * (1.0f - ${m});` : '',
  ].filter(Boolean).join('\n');
  const channel = (p: string) => `((${p} / ${inner}u) % ${c}u)`;
  // input mean/var are bound only for the running statistics they feed (auto layouts drop unused bindings)
  const extra = [1, 2, ...(outs[1] && args.outputs[1] ? [3] : []), ...(outs[2] && args.outputs[2] ? [4] : [])];
  return normKernel(args as LowerArgs, 'batchnormtrain', layout, extra, stats,
    { scale: (p) => `k_in1[${channel(p)}]`, bias: (p) => `k_in2[${channel(p)}]` },
    tail ? `  if (lid == 0u) {\n${tail}\n  }` : '');
}

/** Inference BatchNormalization: y = (x - mean) · scale / sqrt(var + eps) + bias, per channel. */
const batchNorm: KernelGenerator<BatchNormAttrs> = (args) => {
  const { node, attrs, inputs, outputs } = args;
  const x = inputs[0];
  const bad = notFloat('BatchNormalization', x);
  if (bad || !x) return bad ?? { kind: 'unsupported', reason: 'no input' };
  if (attrs.training) return batchNormTraining(args, attrs);
  const params = [1, 2, 3, 4].map((i) => inputs[i]);
  if (params.some((p) => !p || scalarOf(p.dtype) !== 'f32')) return { kind: 'unsupported', reason: 'BatchNormalization needs float scale, B, mean and var' };
  const c = x.dims[1] ?? 1;
  const width = params[0]!.dims.reduce((a, b) => a * b, 1);
  // per channel ([C] → [C, 1, …]) or, for the pre-opset-9 spatial=0 form, per feature ([C, D1, …])
  const dims = width === c ? [c, ...x.dims.slice(2).map(() => 1)] : x.dims.slice(1);
  const k = `(k_v1 / sqrt(k_v4 + ${f32Lit(attrs.epsilon)}))`;
  const value = activationExpr(fusedActivation(node), `(k_v0 * ${k} + (k_v2 - k_v3 * ${k}))`);
  if (value === undefined) return { kind: 'unsupported', reason: 'unknown fused activation' };
  return mapKernel('batchnorm', [{ type: 'f32', dims: x.dims }, ...params.map(() => ({ type: 'f32' as const, dims }))],
    { type: 'f32', dims: outputs[0].dims }, value);
};

interface LrnAttrs {
  readonly size: number;
  readonly alpha: number;
  readonly beta: number;
  readonly bias: number;
}

/** LRN: each element over the sum of squares of its channel window [c - ⌊(size-1)/2⌋, c + ⌈(size-1)/2⌉]. */
const lrn: KernelGenerator<LrnAttrs> = ({ node, attrs, inputs, outputs }) => {
  const x = inputs[0];
  const bad = notFloat('LRN', x);
  if (bad || !x) return bad ?? { kind: 'unsupported', reason: 'no input' };
  if (x.dims.length < 3 || attrs.size <= 0) return { kind: 'unsupported', reason: 'LRN needs (N, C, D1, …) and a positive size' };
  const c = x.dims[1];
  const inner = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const n = x.dims.reduce((a, b) => a * b, 1);
  const value = activationExpr(fusedActivation(node), `k_x[idx] / pow(${f32Lit(attrs.bias)} + ${f32Lit(attrs.alpha / attrs.size)} * s, ${f32Lit(attrs.beta)})`);
  if (value === undefined) return { kind: 'unsupported', reason: 'unknown fused activation' };
  const body = `  let ch = i32((idx / ${inner}u) % ${c}u);
  let first = idx - u32(ch) * ${inner}u;
  var s = 0.0f;
  for (var k = max(ch - ${Math.floor((attrs.size - 1) / 2)}i, 0i); k <= min(ch + ${Math.ceil((attrs.size - 1) / 2)}i, ${c - 1}i); k = k + 1i) {
    let v = k_x[first + u32(k) * ${inner}u];
    s = s + v * v;
  }
  k_out[idx] = ${value};`;
  const wgsl = `${declareBuffers([{ name: 'k_x', type: 'f32', access: 'read' }, { name: 'k_out', type: 'f32', access: 'read_write' }])}\n${flatMain(n, body)}`;
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(n), bindings: [{ kind: 'input', index: 0 }, { kind: 'output', index: 0 }], label: 'lrn' }] };
};

export const normKernels: Record<string, KernelGenerator> = {
  LRN: lrn as KernelGenerator,
  LayerNormalization: layerNorm as KernelGenerator,
  RMSNormalization: rmsNorm as KernelGenerator,
  GroupNormalization: ((args: LowerArgs<{ numGroups: number; epsilon: number }>) =>
    groupNorm(args as LowerArgs, 'GroupNormalization', args.attrs.numGroups, args.attrs.epsilon)) as KernelGenerator,
  InstanceNormalization: ((args: LowerArgs<{ epsilon: number }>) =>
    groupNorm(args as LowerArgs, 'InstanceNormalization', args.inputs[0]?.dims[1] ?? 0, args.attrs.epsilon)) as KernelGenerator,
  MeanVarianceNormalization: mvn as KernelGenerator,
  LpNormalization: lpNorm as KernelGenerator,
  BatchNormalization: batchNorm as KernelGenerator,
};
