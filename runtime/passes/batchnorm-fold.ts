// BatchNorm folding: an inference BatchNormalization right after a Conv or Gemm with constant
// weights becomes part of them: W' = W·s per output channel and B' = (B − mean)·s + bias, with
// s = scale / sqrt(var + eps). The producer then writes the BatchNormalization's output.

import type { Model, Node } from '../ir/graph';
import { fromNumbers, isFloatType, toNumbers, type Tensor } from '../tensor';
import { allNames, attrsOf, freshName, opsetOf, useCounts, withAttrs, withGraph, type TypeMap } from './graph-util';

interface Norm {
  /** per-channel multiplier s */
  readonly s: Float64Array;
  /** per-channel offset: bias − mean·s */
  readonly shift: Float64Array;
}

export function foldBatchNorm(model: Model, types?: TypeMap): Model {
  const g = model.graph;
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const uses = useCounts(g);
  const taken = allNames(g);
  const nodes: (Node | null)[] = [...g.nodes];
  const initializers = new Map(g.initializers);
  const inputNames = new Set(g.inputs.map((i) => i.name));
  const constant = (n: string | undefined): Tensor | undefined =>
    n && !inputNames.has(n) ? initializers.get(n) : undefined;
  let changed = false;

  g.nodes.forEach((bn, bi) => {
    if (bn.op !== 'BatchNormalization' || bn.domain !== '' || !isInference(model, bn)) return;
    const x = bn.inputs[0];
    const pi = producer.get(x);
    if (pi === undefined || uses.get(x) !== 1 || !floatOrUnknown(types, x)) return;
    const prod = nodes[pi];
    if (!prod || prod.domain !== '' || (prod.op !== 'Conv' && prod.op !== 'Gemm')) return;
    const params = bn.inputs.slice(1, 5).map(constant);
    if (params.length !== 4 || params.some((p) => !p || !isFloatType(p.type))) return;
    const folded = prod.op === 'Conv' ? foldIntoConv(prod, params as Tensor[], attrsOf(bn).float('epsilon', 1e-5), constant)
      : foldIntoGemm(prod, params as Tensor[], attrsOf(bn).float('epsilon', 1e-5), constant);
    if (!folded) return;
    const wName = freshName(`${prod.inputs[1]}__bnfold`, taken);
    const bName = freshName(`${prod.inputs[2] || prod.inputs[1]}__bnfold_bias`, taken);
    initializers.set(wName, folded.w);
    initializers.set(bName, folded.b);
    let next: Node = { ...prod, inputs: [prod.inputs[0], wName, bName], outputs: [bn.outputs[0]] };
    if (prod.op === 'Gemm') next = withAttrs(next, { beta: { kind: 'float', value: 1 } });
    nodes[pi] = next;
    nodes[bi] = null;
    changed = true;
  });
  if (!changed) return model;
  return withGraph(model, { nodes: nodes.filter((n): n is Node => n !== null), initializers });
}

/** One output, not training (training_mode unset or 0; before opset 7, is_test set). */
function isInference(model: Model, bn: Node): boolean {
  if (bn.outputs.slice(1).some((o) => o !== '') || !bn.outputs[0]) return false;
  const a = attrsOf(bn);
  if (opsetOf(model, bn) < 7 && a.int('is_test', 0) !== 1) return false;
  return a.int('training_mode', 0) === 0;
}

function norm([scale, bias, mean, variance]: Tensor[], eps: number, channels: number): Norm | undefined {
  if ([scale, bias, mean, variance].some((t) => t.dims.length !== 1 || t.dims[0] !== channels)) return undefined;
  const [sc, bi, me, va] = [scale, bias, mean, variance].map(toNumbers);
  const s = new Float64Array(channels);
  const shift = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    s[c] = sc[c] / Math.sqrt(va[c] + eps);
    shift[c] = bi[c] - me[c] * s[c];
  }
  return { s, shift };
}

type Const = (n: string | undefined) => Tensor | undefined;

/** Conv weights are [M, C/group, k…]: output channel m is the m-th block of W. */
function foldIntoConv(conv: Node, params: Tensor[], eps: number, constant: Const): { w: Tensor; b: Tensor } | undefined {
  const w = constant(conv.inputs[1]);
  const b = conv.inputs[2] ? constant(conv.inputs[2]) : undefined;
  if (!w || !isFloatType(w.type) || w.dims.length < 3 || (conv.inputs[2] && !b)) return undefined;
  const m = w.dims[0];
  const n = norm(params, eps, m);
  if (!n || (b && (b.dims.length !== 1 || b.dims[0] !== m))) return undefined;
  const wv = toNumbers(w);
  const block = wv.length / m;
  for (let c = 0; c < m; c++) for (let k = c * block; k < (c + 1) * block; k++) wv[k] *= n.s[c];
  const bv = b ? toNumbers(b) : new Float64Array(m);
  for (let c = 0; c < m; c++) bv[c] = bv[c] * n.s[c] + n.shift[c];
  return { w: fromNumbers(w.type, w.dims, wv), b: fromNumbers(b?.type ?? w.type, [m], bv) };
}

/** Gemm Y = alpha·A·op(B) + beta·C: output channel j is row j of B (transB) or column j. */
function foldIntoGemm(gemm: Node, params: Tensor[], eps: number, constant: Const): { w: Tensor; b: Tensor } | undefined {
  const a = attrsOf(gemm);
  const transB = a.int('transB', 0) !== 0;
  const beta = a.float('beta', 1);
  const w = constant(gemm.inputs[1]);
  const c = gemm.inputs[2] ? constant(gemm.inputs[2]) : undefined;
  if (!w || !isFloatType(w.type) || w.dims.length !== 2 || (gemm.inputs[2] && !c)) return undefined;
  const [rows, cols] = w.dims;
  const nOut = transB ? rows : cols;
  const n = norm(params, eps, nOut);
  // C must broadcast along rows: a scalar or one value per output channel.
  if (!n || (c && !(c.data.length === 1 || (c.data.length === nOut && c.dims[c.dims.length - 1] === nOut)))) return undefined;
  const wv = toNumbers(w);
  for (let r = 0; r < rows; r++) for (let k = 0; k < cols; k++) wv[r * cols + k] *= n.s[transB ? r : k];
  const cv = c ? toNumbers(c) : new Float64Array(1);
  const bv = new Float64Array(nOut);
  for (let j = 0; j < nOut; j++) bv[j] = beta * cv[cv.length === 1 ? 0 : j] * n.s[j] + n.shift[j];
  return { w: fromNumbers(w.type, w.dims, wv), b: fromNumbers(c?.type ?? w.type, [nOut], bv) };
}

function floatOrUnknown(types: TypeMap | undefined, name: string): boolean {
  const t = types?.get(name);
  return !t || isFloatType(t.dtype);
}
