// Einsum: a general sum of products over labelled axes. The equation is parsed into one label
// list per operand (ellipsis dims become synthetic labels, broadcast numpy-style); every operand
// then gets offset tables over the output labels and over the summed labels, so the kernel is
// out[i] = Σ_j Π_k x_k[outOff_k[i] + sumOff_k[j]].

import { fromNumbers, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type OpSpec } from '../spec';
import { tensorType } from './util';

const OP = 'Einsum';

interface Term {
  /** explicit letters before and after the ellipsis (after is empty without one) */
  readonly before: string[];
  readonly after: string[];
  readonly ellipsis: boolean;
}

function parseTerm(s: string): Term {
  const parts = s.split('...');
  if (parts.length > 2) throw new OpError(OP, `term '${s}' has more than one ellipsis`);
  const letters = (p: string): string[] => {
    for (const ch of p) if (!/[A-Za-z]/.test(ch)) throw new OpError(OP, `unexpected '${ch}' in term '${s}'`);
    return [...p];
  };
  return { before: letters(parts[0]), after: parts.length === 2 ? letters(parts[1]) : [], ellipsis: parts.length === 2 };
}

/** Synthetic labels for ellipsis dims (right-aligned, so index 0 is the outermost of `n`). */
const ellLabel = (k: number, n: number): string => `#${n - k}`;

export interface EinsumPlan {
  /** one label per axis, per operand */
  readonly inputs: string[][];
  readonly output: string[];
}

/** Parses `equation` for operands of the given ranks. */
export function parseEinsum(equation: string, ranks: readonly number[]): EinsumPlan {
  const eq = equation.replace(/\s+/g, '');
  const [lhs, rhs] = eq.split('->');
  if (eq.split('->').length > 2) throw new OpError(OP, `equation '${equation}' has more than one '->'`);
  const terms = lhs.split(',').map(parseTerm);
  if (terms.length !== ranks.length) throw new OpError(OP, `equation '${equation}' names ${terms.length} operands, got ${ranks.length}`);
  let ellRank = 0;
  const inputs = terms.map((t, k) => {
    const fixed = t.before.length + t.after.length;
    const e = ranks[k] - fixed;
    if (e < 0 || (!t.ellipsis && e !== 0)) throw new OpError(OP, `operand ${k} has rank ${ranks[k]} but its term has ${fixed} labels`);
    ellRank = Math.max(ellRank, e);
    return [...t.before, ...Array.from({ length: e }, (_, i) => ellLabel(i, e)), ...t.after];
  });
  let output: string[];
  if (rhs === undefined) {
    // implicit output: the ellipsis dims, then the labels used exactly once, alphabetically
    const count = new Map<string, number>();
    for (const t of terms) for (const l of [...t.before, ...t.after]) count.set(l, (count.get(l) ?? 0) + 1);
    const once = [...count].filter(([, c]) => c === 1).map(([l]) => l).sort();
    output = [...Array.from({ length: ellRank }, (_, i) => ellLabel(i, ellRank)), ...once];
  } else {
    const t = parseTerm(rhs);
    output = [...t.before, ...(t.ellipsis ? Array.from({ length: ellRank }, (_, i) => ellLabel(i, ellRank)) : []), ...t.after];
    const seen = new Set<string>();
    for (const l of output) {
      if (seen.has(l)) throw new OpError(OP, `output label '${l}' repeats`);
      seen.add(l);
      if (!l.startsWith('#') && !inputs.some((ls) => ls.includes(l))) throw new OpError(OP, `output label '${l}' is not in any input`);
    }
  }
  return { inputs, output };
}

/** Offsets into one operand for every combination of `labels` (row-major over `labels`). */
function labelOffsets(labels: readonly string[], sizes: ReadonlyMap<string, number>, stride: ReadonlyMap<string, number>): Int32Array {
  let n = 1;
  for (const l of labels) n *= sizes.get(l)!;
  const out = new Int32Array(n);
  if (n === 0) return out;
  const dims = labels.map((l) => sizes.get(l)!);
  const st = labels.map((l) => stride.get(l) ?? 0);
  const counter = new Array<number>(labels.length).fill(0);
  let cur = 0;
  for (let i = 0; i < n; i++) {
    out[i] = cur;
    for (let j = labels.length - 1; j >= 0; j--) {
      counter[j]++;
      cur += st[j];
      if (counter[j] < dims[j]) break;
      cur -= st[j] * counter[j];
      counter[j] = 0;
    }
  }
  return out;
}

export function einsum(equation: string, xs: readonly Tensor[]): Tensor {
  if (xs.length === 0) throw new OpError(OP, 'needs at least one input');
  const type = xs[0].type;
  for (const x of xs) if (x.type !== type) throw new OpError(OP, `inputs must share one type, got ${type} and ${x.type}`);
  const plan = parseEinsum(equation, xs.map((x) => x.dims.length));
  // label sizes, with size-1 dims broadcasting
  const sizes = new Map<string, number>();
  plan.inputs.forEach((ls, k) =>
    ls.forEach((l, a) => {
      const d = xs[k].dims[a];
      const prev = sizes.get(l);
      if (prev === undefined || prev === 1) sizes.set(l, d);
      else if (d !== prev && d !== 1) throw new OpError(OP, `label '${l}' has sizes ${prev} and ${d}`);
    }),
  );
  for (const l of plan.output) if (!sizes.has(l)) sizes.set(l, 1);
  const outSet = new Set(plan.output);
  const summed = [...sizes.keys()].filter((l) => !outSet.has(l));
  const ops = xs.map((x, k) => {
    // a repeated label walks the diagonal: its strides add up; a broadcast dim has stride 0
    const stride = new Map<string, number>();
    let acc = 1;
    for (let a = x.dims.length - 1; a >= 0; a--) {
      const l = plan.inputs[k][a];
      if (x.dims[a] !== 1 || sizes.get(l) === 1) stride.set(l, (stride.get(l) ?? 0) + acc);
      acc *= x.dims[a];
    }
    return { data: toNumbers(x), out: labelOffsets(plan.output, sizes, stride), sum: labelOffsets(summed, sizes, stride) };
  });
  const outDims = plan.output.map((l) => sizes.get(l)!);
  const n = ops[0].out.length;
  const m = ops[0].sum.length;
  const res = new Float64Array(n);
  if (ops.length === 2) {
    // the common two-operand contraction (matmul-like), without the per-operand loop
    const [a, b] = ops;
    for (let i = 0; i < n; i++) {
      const ao = a.out[i];
      const bo = b.out[i];
      let s = 0;
      for (let j = 0; j < m; j++) s += a.data[ao + a.sum[j]] * b.data[bo + b.sum[j]];
      res[i] = s;
    }
    return fromNumbers(type, outDims, res);
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) {
      let p = 1;
      for (const o of ops) p *= o.data[o.out[i] + o.sum[j]];
      s += p;
    }
    res[i] = s;
  }
  return fromNumbers(type, outDims, res);
}

export const einsumOp = defineOp<{ equation: string }>({
  op: OP,
  attrs: (a) => {
    const equation = a.string('equation');
    if (equation === undefined) throw new OpError(OP, "attribute 'equation' is required");
    return { equation };
  },
  infer: (inputs, at) => {
    const first = inputs[0];
    if (!first || inputs.some((t) => !t?.shape)) return [first ? tensorType(first.dtype, null) : null];
    const plan = parseEinsum(at.equation, inputs.map((t) => t!.shape!.length));
    const sizes = new Map<string, number | string | null>();
    plan.inputs.forEach((ls, k) => ls.forEach((l, a) => {
      const d = inputs[k]!.shape![a];
      if (!sizes.has(l) || sizes.get(l) === 1) sizes.set(l, d);
    }));
    return [tensorType(first.dtype, plan.output.map((l) => sizes.get(l) ?? 1))];
  },
  run: (inputs, at) => {
    const xs = inputs.map((x, k) => {
      if (!x) throw new OpError(OP, `input ${k} is missing`);
      return x;
    });
    return [einsum(at.equation, xs)];
  },
});

export const einsumOps: OpSpec[] = [einsumOp];
