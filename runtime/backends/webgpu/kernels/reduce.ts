// Reductions: Reduce* (axes from an attribute or a constant input, keepdims, noop_with_empty_axes),
// ArgMax/ArgMin (select_last_index) and CumSum/CumProd, on the workgroup-per-group template of
// ./reduce-template (short groups: one invocation each; long few groups: split in two passes).
// Floats accumulate in f32 (pairwise across the workgroup); ints in their own type.

import { toInts } from '../../../tensor';
import { normAxis } from '../../../ops/broadcast';
import type { KernelGenerator, LowerArgs, Lowering } from '../kernel';
import { scalarOf, type Scalar } from '../storage';
import { declareBuffers, flatMain, grid1d, usesSubgroups, WORKGROUP } from '../wgsl';
import { helpersFor } from './activation-helpers';
import { groupDispatch, groupLayout, groupMain, strided, workgroupArgReduce, workgroupFor, workgroupReduce, type GroupLayout } from './reduce-template';

type Expr2 = (a: string, b: string) => string;

/** Groups this short reduce in one invocation each when there are enough of them to fill the GPU. */
const SHORT = 16;

interface Fold {
  /** identity per element type (absent: the op does not take that type) */
  readonly init: Partial<Record<Scalar, string>>;
  readonly map?: (x: string, t: Scalar) => string;
  readonly combine: (t: Scalar) => Expr2;
  readonly finish?: (r: string, len: number, t: Scalar) => string;
}

const add: Fold['combine'] = () => (a, b) => `${a} + ${b}`;
const ZERO = { f32: '0.0f', i32: '0i', u32: '0u' };
const ONE = { f32: '1.0f', i32: '1i', u32: '1u' };
const fmax: Fold['combine'] = (t) => (a, b) => (t === 'f32' ? `k_fmax(${a}, ${b})` : `max(${a}, ${b})`);
const fmin: Fold['combine'] = (t) => (a, b) => (t === 'f32' ? `k_fmin(${a}, ${b})` : `min(${a}, ${b})`);
const square = (x: string) => `${x} * ${x}`;

const FOLDS: Record<string, Fold> = {
  ReduceSum: { init: ZERO, combine: add },
  ReduceMean: { init: ZERO, combine: add, finish: (r, n, t) => (t === 'f32' ? `${r} / ${n}.0f` : `${r} / ${n}${t === 'i32' ? 'i' : 'u'}`) },
  ReduceProd: { init: ONE, combine: () => (a, b) => `${a} * ${b}` },
  ReduceL1: { init: ZERO, map: (x, t) => (t === 'u32' ? x : `abs(${x})`), combine: add },
  ReduceL2: { init: { f32: '0.0f' }, map: square, combine: add, finish: (r) => `sqrt(${r})` },
  ReduceSumSquare: { init: ZERO, map: square, combine: add },
  ReduceLogSum: { init: { f32: '0.0f' }, combine: add, finish: (r) => `log(${r})` },
  ReduceMax: { init: { f32: 'k_inf(-1.0f)', i32: '(-2147483647i - 1i)', u32: '0u' }, combine: fmax },
  ReduceMin: { init: { f32: 'k_inf(1.0f)', i32: '2147483647i', u32: '0xffffffffu' }, combine: fmin },
};

interface ReduceAttrs {
  readonly axes?: readonly number[];
  readonly keepdims: boolean;
  readonly noopWithEmptyAxes: boolean;
  readonly axesInput: boolean;
}

/** The reduced axes (sorted), 'noop' for an identity, or a reason it cannot be known statically. */
function reduceAxes(args: LowerArgs<ReduceAttrs>, rank: number): number[] | 'noop' | { reason: string } {
  const { attrs, inputs, constants } = args;
  let given: readonly number[] = attrs.axes ?? [];
  const axesIn = attrs.axesInput ? inputs[1] : undefined;
  if (axesIn && axesIn.dims.reduce((a, b) => a * b, 1) === 0) {
    given = []; // an empty axes input is known to be empty without its value
  } else if (axesIn) {
    const c = constants[1];
    if (!c) return { reason: 'axes must be a constant' };
    given = toInts(c);
  } else if (attrs.axesInput) {
    given = [];
  }
  if (given.length === 0) return attrs.noopWithEmptyAxes ? 'noop' : Array.from({ length: rank }, (_, i) => i);
  return [...new Set(given.map((a) => normAxis('Reduce', a, rank)))].sort((a, b) => a - b);
}

const reduceKernel = (op: string): KernelGenerator<ReduceAttrs> => (args) => {
  const x = args.inputs[0];
  const s = x && scalarOf(x.dtype);
  const fold = FOLDS[op];
  const lse = op === 'ReduceLogSumExp';
  if (!x || !s || (lse ? s !== 'f32' : fold.init[s] === undefined)) return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${x?.dtype}` };
  const axes = reduceAxes(args, x.dims.length);
  if (axes === 'noop') return { kind: 'alias', input: 0 };
  if (!Array.isArray(axes)) return { kind: 'unsupported', reason: axes.reason };
  const layout = groupLayout(x.dims, axes);
  const width = workgroupFor(layout.len);
  const decls = declareBuffers([{ name: 'k_in', type: s, access: 'read' }, { name: 'k_out', type: s, access: 'read_write' }]);
  const load = `    let x = k_in[base + ${layout.offset('j')}];`;
  if (lse) {
    // max first, so exp() cannot overflow; an infinite max is the answer itself
    const body = `  var m = k_inf(-1.0f);
${strided(layout.len, width, `${load}\n    m = k_fmax(m, x);`)}
  m = k_wg_max(m, lid);
  var acc = 0.0f;
${strided(layout.len, width, `${load}\n    acc = acc + exp(x - m);`)}
  let r = k_wg_sum(acc, lid);
  if (lid == 0u) { k_out[g] = select(m + log(r), m, abs(m) == k_inf(1.0f)); }`;
    const shared = `${workgroupReduce('max', 'f32', width, (a, b) => `k_fmax(${a}, ${b})`)}\n${workgroupReduce('sum', 'f32', width, (a, b) => `${a} + ${b}`, args.subgroups)}`;
    return groupDispatch('reducelogsumexp', layout, width, `${decls}\n${shared}`, body);
  }
  const combine = fold.combine(s);
  const mapped = fold.map ? fold.map('x', s) : 'x';
  const result = fold.finish ? fold.finish('r', layout.len, s) : 'r';
  if (layout.len <= SHORT && layout.groups >= WORKGROUP) {
    // short groups, many of them: one invocation per output, a plain loop (no idle lanes)
    const body = `  let base = ${layout.base('idx')};
  var acc: ${s} = ${fold.init[s]};
  for (var j = 0u; j < ${layout.len}u; j = j + 1u) {
${load}
    acc = ${combine('acc', `(${mapped})`)};
  }
  let r = acc;
  k_out[idx] = ${result};`;
    const main = flatMain(layout.groups, body);
    const wgsl = `${decls}\n${helpersFor(main)}\n${main}`;
    return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(layout.groups), bindings: [{ kind: 'input', index: 0 }, { kind: 'output', index: 0 }], label: op.toLowerCase() }] };
  }
  if (layout.groups < FEW && layout.len >= LONG) return splitReduce(op, s, fold, layout, args.subgroups);
  const body = `  var acc: ${s} = ${fold.init[s]};
${strided(layout.len, width, `${load}\n    acc = ${combine('acc', `(${mapped})`)};`)}
  let r = k_wg_red(acc, lid);
  if (lid == 0u) { k_out[g] = ${result}; }`;
  return groupDispatch(op.toLowerCase(), layout, width, `${decls}\n${workgroupReduce('red', s, width, combine, args.subgroups)}`, body);
};

/** Below this many groups, a group of at least LONG elements is split across workgroups. */
const FEW = 64;
const LONG = 16384;
/** Elements per workgroup in the first pass of a split reduction. */
const CHUNK = 4096;

/**
 * A long reduction over few groups in two dispatches, so more than one workgroup per group runs:
 * chunks of each group fold into a scratch row of partials, then one workgroup per group folds
 * its row and finishes (the element map applies in the first pass only).
 */
function splitReduce(op: string, s: Scalar, fold: Fold, layout: GroupLayout, subgroups?: boolean): Lowering {
  const parts = Math.min(256, Math.ceil(layout.len / CHUNK));
  const chunk = Math.ceil(layout.len / parts);
  const width = 256;
  const combine = fold.combine(s);
  const mapped = fold.map ? fold.map('x', s) : 'x';
  const decl = (out: string) => declareBuffers([{ name: 'k_in', type: s, access: 'read' }, { name: out, type: s, access: 'read_write' }]);
  const shared = workgroupReduce('red', s, width, combine, subgroups);
  const sg = usesSubgroups(shared);
  // pass 1: workgroup w folds chunk w % parts of group w / parts
  const first = groupMain(layout.groups * parts, width, `  let grp = g / ${parts}u;
  let base = ${layout.base('grp')};
  let k_from = (g % ${parts}u) * ${chunk}u;
  let k_to = min(k_from + ${chunk}u, ${layout.len}u);
  var acc: ${s} = ${fold.init[s]};
  for (var j = k_from + lid; j < k_to; j = j + ${width}u) {
    let x = k_in[base + ${layout.offset('j')}];
    acc = ${combine('acc', `(${mapped})`)};
  }
  let r = k_wg_red(acc, lid);
  if (lid == 0u) { k_part[g] = r; }`, sg);
  const second = groupMain(layout.groups, width, `  var acc: ${s} = ${fold.init[s]};
  for (var j = lid; j < ${parts}u; j = j + ${width}u) { acc = ${combine('acc', `k_in[g * ${parts}u + j]`)}; }
  let r = k_wg_red(acc, lid);
  if (lid == 0u) { k_out[g] = ${fold.finish ? fold.finish('r', layout.len, s) : 'r'}; }`, sg);
  const code = (out: string, main: string) => `${decl(out)}\n${shared}\n${helpersFor(shared + main)}\n${main}`;
  const scratch = { kind: 'scratch' as const, id: 0, elements: layout.groups * parts };
  return {
    kind: 'dispatch',
    dispatches: [
      { wgsl: code('k_part', first), workgroups: grid1d(layout.groups * parts, 1), bindings: [{ kind: 'input', index: 0 }, scratch], label: `${op.toLowerCase()}_split` },
      { wgsl: code('k_out', second), workgroups: grid1d(layout.groups, 1), bindings: [scratch, { kind: 'output', index: 0 }], label: op.toLowerCase() },
    ],
  };
}

// ---- ArgMax / ArgMin ----

interface ArgAttrs {
  readonly axis: number;
  readonly keepdims: boolean;
  readonly selectLast: boolean;
}

const argKernel = (op: 'ArgMax' | 'ArgMin'): KernelGenerator<ArgAttrs> => ({ attrs, inputs }) => {
  const x = inputs[0];
  const s = x && scalarOf(x.dtype);
  if (!x || !s) return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${x?.dtype}` };
  const layout = groupLayout(x.dims, [normAxis(op, attrs.axis, x.dims.length)]);
  const width = workgroupFor(layout.len);
  const decls = `${declareBuffers([{ name: 'k_in', type: s, access: 'read' }, { name: 'k_out', type: 'i32', access: 'read_write' }])}
${workgroupArgReduce(s, width, op === 'ArgMax' ? '>' : '<', attrs.selectLast)}`;
  const body = `  var bv: ${s};
  var bi = 0xffffffffu;
${strided(layout.len, width, `    let x = k_in[base + ${layout.offset('j')}];\n    if (k_take(bv, bi, x, j)) { bv = x; bi = j; }`)}
  let r = k_wg_arg(bv, bi, lid);
  if (lid == 0u) { k_out[g] = i32(r); }`;
  return groupDispatch(op.toLowerCase(), layout, width, decls, body);
};

// ---- CumSum ----

interface CumSumAttrs {
  readonly exclusive: boolean;
  readonly reverse: boolean;
}

/** WGSL function `k_scan<a>(line)`: the running sum (or product) along axis `a` of one line. */
function scanFn(dims: readonly number[], axis: number, s: Scalar, attrs: CumSumAttrs, prod: boolean): { fn: string; lines: number } {
  const layout = groupLayout(dims, [axis]);
  const n = layout.len;
  const k = attrs.reverse ? `${n - 1}u - i` : 'i';
  const step = attrs.exclusive
    ? `    k_out[p] = acc;\n    acc = acc ${prod ? '*' : '+'} k_in[p];`
    : `    acc = acc ${prod ? '*' : '+'} k_in[p];\n    k_out[p] = acc;`;
  const fn = `fn k_scan${axis}(line: u32) {
  if (line >= ${layout.groups}u) { return; }
  let base = ${layout.base('line')};
  var acc: ${s} = ${prod ? ONE[s] : ZERO[s]};
  for (var i = 0u; i < ${n}u; i = i + 1u) {
    let p = base + ${layout.offset(`(${k})`)};
${step}
  }
}`;
  return { fn, lines: layout.groups };
}

/**
 * One invocation per line along the axis, a running sum or product in the element's type. A
 * constant axis bakes one scan; an axis fed at run time selects among the scans of every axis of
 * the rank.
 */
const scanKernel = (op: 'CumSum' | 'CumProd'): KernelGenerator<CumSumAttrs> => ({ attrs, inputs, constants }) => {
  const x = inputs[0];
  const axisIn = inputs[1];
  const s = x && scalarOf(x.dtype);
  const sa = axisIn && scalarOf(axisIn.dtype);
  if (!x || !s || !axisIn || !sa || sa === 'f32') return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${x?.dtype} and axis ${axisIn?.dtype}` };
  const rank = x.dims.length;
  const axisT = constants[1];
  const axes = axisT ? [normAxis(op, toInts(axisT)[0], rank)] : x.dims.map((_, a) => a);
  const scans = axes.map((a) => scanFn(x.dims, a, s, attrs, op === 'CumProd'));
  const lines = Math.max(0, ...scans.map((f) => f.lines));
  const buffers: { name: string; type: Scalar; access: 'read' | 'read_write' }[] = [
    { name: 'k_in', type: s, access: 'read' },
    ...(axisT ? [] : [{ name: 'k_axis', type: sa, access: 'read' as const }]),
    { name: 'k_out', type: s, access: 'read_write' },
  ];
  const body = axisT
    ? `  k_scan${axes[0]}(idx);`
    : `  let k_a = i32(k_axis[0]);
  switch (select(k_a, k_a + ${rank}i, k_a < 0i)) {
${axes.map((a) => `    case ${a}i: { k_scan${a}(idx); }`).join('\n')}
    default: {}
  }`;
  const wgsl = `${declareBuffers(buffers)}\n${scans.map((f) => f.fn).join('\n')}\n${flatMain(lines, body)}`;
  const bindings = [
    { kind: 'input' as const, index: 0 },
    ...(axisT ? [] : [{ kind: 'input' as const, index: 1 }]),
    { kind: 'output' as const, index: 0 },
  ];
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(lines), bindings, label: op.toLowerCase() }] };
};

export const reduceKernels: Record<string, KernelGenerator> = {
  ...Object.fromEntries([...Object.keys(FOLDS), 'ReduceLogSumExp'].map((op) => [op, reduceKernel(op) as KernelGenerator])),
  ArgMax: argKernel('ArgMax') as KernelGenerator,
  ArgMin: argKernel('ArgMin') as KernelGenerator,
  CumSum: scanKernel('CumSum') as KernelGenerator,
  CumProd: scanKernel('CumProd') as KernelGenerator,
};
