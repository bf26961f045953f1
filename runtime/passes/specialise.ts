// Shape specialisation with constant folding: gives the graph inputs concrete shapes, then walks
// the nodes in order, evaluating those whose inputs are all constant (they become initializers)
// and inferring the output types of the rest. Shape/Size of a fully known shape fold too, which
// turns shape-computing subgraphs into constants.

import type { Dim, Graph, Model, Node, TensorType, ValueInfo, ValueType } from '../ir/graph';
import { lookupOp } from '../ops/registry';
import type { OpSpec } from '../ops/spec';
import { isTensor, type Tensor } from '../tensor';
import { attrsOf, hasSubgraphs, isConcrete, opsetOf, tensorBytes, typeOfTensor, withGraph, type TypeMap } from './graph-util';
import { noSubgraphs, probeShapes } from './shape-probe';

/** Folded constants larger than this stay as nodes (they would bloat the model). */
export const MAX_FOLD_BYTES = 16 * 1024 * 1024;

/** Ops never folded: their result is not a function of their inputs. */
const RANDOM_OPS = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Bernoulli', 'Multinomial']);

export interface SpecialiseOptions {
  /** evaluate constant nodes and Shape/Size of known shapes (default true); false only infers */
  readonly fold?: boolean;
}

export interface Specialised {
  readonly model: Model;
  readonly types: TypeMap;
}

export function specialiseShapes(
  model: Model, inputShapes: ReadonlyMap<string, readonly number[]>, options: SpecialiseOptions = {},
): Specialised {
  const fold = options.fold ?? true;
  const g = model.graph;
  const inputNames = new Set(g.inputs.map((i) => i.name));
  for (const name of inputShapes.keys()) {
    if (!inputNames.has(name)) throw new Error(`specialiseShapes: the model has no input named '${name}'`);
  }
  const inputs = g.inputs.map((info) => specialiseInput(info, inputShapes.get(info.name)));
  // Declared annotations for intermediates only hold for the declared input shapes.
  const declaredShapesHold = g.inputs.every((info, i) => sameType(info.type, inputs[i].type));

  const types = new Map<string, TensorType | null>();
  // An initializer that is also a graph input is only a default: the feed overrides it.
  const constants = new Map<string, Tensor>();
  g.initializers.forEach((t, name) => {
    if (inputNames.has(name)) return;
    constants.set(name, t);
    types.set(name, typeOfTensor(t));
  });
  for (const info of inputs) types.set(info.name, info.type?.kind === 'tensor' ? info.type : null);
  const initializers = new Map(g.initializers);

  const nodes: Node[] = [];
  for (const node of g.nodes) {
    const spec = lookupOp(node.domain, node.op);
    const opset = opsetOf(model, node);
    let attrs: unknown;
    let parsed = false;
    try {
      attrs = spec?.attrs(attrsOf(node), opset);
      parsed = !!spec;
    } catch {
      parsed = false; // a malformed node: leave it for the executor to report
    }
    if (!spec || !parsed) {
      nodes.push(node);
      node.outputs.forEach((o) => o !== '' && types.set(o, fallbackType(g, o, declaredShapesHold)));
      continue;
    }
    const inTypes = node.inputs.map((n) => (n === '' ? null : types.get(n) ?? null));
    const evaluated = fold ? tryFold(node, spec, attrs, opset, constants, inTypes) : undefined;
    const folded = evaluated && node.outputs.every((o, i) => o === '' || tensorBytes(evaluated[i]) <= MAX_FOLD_BYTES) ? evaluated : undefined;
    if (folded) {
      node.outputs.forEach((o, i) => {
        if (o === '') return;
        constants.set(o, folded[i]);
        initializers.set(o, folded[i]);
        types.set(o, typeOfTensor(folded[i]));
      });
      continue;
    }
    nodes.push(node);
    // A result too big to keep still tells its type.
    const outTypes = evaluated ? node.outputs.map((_, i) => (evaluated[i] ? typeOfTensor(evaluated[i]) : null)) : inferOutputs(node, spec, attrs, opset, inTypes, constants);
    node.outputs.forEach((o, i) => {
      if (o !== '') types.set(o, outTypes[i] ?? fallbackType(g, o, declaredShapesHold));
    });
  }

  const annotate = (info: ValueInfo): ValueInfo => {
    const t = types.get(info.name);
    return t ? { name: info.name, type: t } : info;
  };
  const valueInfo = new Map<string, ValueInfo>();
  g.valueInfo.forEach((info, name) => {
    const t = types.get(name);
    if (t) valueInfo.set(name, { name, type: t });
    else if (types.has(name)) valueInfo.set(name, info);
  });
  const graph: Partial<Graph> = { inputs, outputs: g.outputs.map(annotate), initializers, nodes, valueInfo };
  return { model: withGraph(model, graph), types };
}

/** The input's declared type with the given concrete shape (checked against what was declared). */
function specialiseInput(info: ValueInfo, dims: readonly number[] | undefined): ValueInfo {
  if (!dims) return info;
  const declared = info.type;
  if (declared && declared.kind !== 'tensor') throw new Error(`specialiseShapes: input '${info.name}' is not a tensor`);
  if (declared?.shape) {
    const ok = declared.shape.length === dims.length && declared.shape.every((d, i) => typeof d !== 'number' || d === dims[i]);
    if (!ok) {
      throw new Error(`specialiseShapes: input '${info.name}' is declared [${declared.shape.join(',')}], got [${dims.join(',')}]`);
    }
  }
  return { name: info.name, type: { kind: 'tensor', dtype: declared?.dtype ?? 'float32', shape: [...dims] } };
}

/** Evaluates the node (whatever its result's size) when its inputs are constant (or it is Shape/Size of a known shape). */
function tryFold(
  node: Node, spec: OpSpec, attrs: unknown, opset: number,
  constants: ReadonlyMap<string, Tensor>, inTypes: readonly (TensorType | null)[],
): Tensor[] | undefined {
  if (RANDOM_OPS.has(node.op) || hasSubgraphs(node) || !spec.run) return undefined;
  if (node.op === 'Dropout' && node.inputs[2] && !isConstFalse(constants.get(node.inputs[2]))) return undefined;
  if (node.domain === '' && (node.op === 'Shape' || node.op === 'Size')) {
    const known = inTypes[0]?.shape;
    // Shape/Size read only the dims, so a dims-only stand-in is enough (no data allocated).
    if (isConcrete(known)) return evaluate(node, spec, attrs, opset, [{ type: inTypes[0]!.dtype, dims: known, data: [] }]);
  }
  const ins: (Tensor | undefined)[] = [];
  for (const name of node.inputs) {
    if (name === '') { ins.push(undefined); continue; }
    const c = constants.get(name);
    if (!c) return undefined;
    ins.push(c);
  }
  return evaluate(node, spec, attrs, opset, ins);
}

function evaluate(node: Node, spec: OpSpec, attrs: unknown, opset: number, ins: (Tensor | undefined)[]): Tensor[] | undefined {
  let outs: Tensor[];
  try {
    outs = spec.run!(ins, attrs, { opset, numOutputs: node.outputs.length, runGraph: noSubgraphs });
  } catch {
    return undefined; // unsupported or invalid here: leave it to run time, which reports it
  }
  if (node.outputs.some((o, i) => o !== '' && !isTensor(outs[i]))) return undefined;
  return outs;
}

function isConstFalse(t: Tensor | undefined): boolean {
  return !!t && t.data.length === 1 && !t.data[0];
}

/** The op's inference, sharpened by probing where a value-dependent shape is left open. */
function inferOutputs(
  node: Node, spec: OpSpec, attrs: unknown, opset: number,
  inTypes: readonly (TensorType | null)[], constants: ReadonlyMap<string, Tensor>,
): (TensorType | null)[] {
  let out: (TensorType | null)[] = [];
  try {
    out = spec.infer?.(inTypes, attrs, opset, node.inputs.map((n) => (n === '' ? undefined : constants.get(n)))) ?? [];
  } catch {
    out = [];
  }
  if (node.outputs.every((o, i) => o === '' || isConcrete(out[i]?.shape))) return out;
  const probed = probeShapes(node, spec, attrs, opset, inTypes, (n) => constants.get(n));
  return probed ?? out;
}

/** For a value whose op has no inference: the model's own annotation, if it still holds. */
function fallbackType(g: Graph, name: string, declaredShapesHold: boolean): TensorType | null {
  const t = g.valueInfo.get(name)?.type ?? g.outputs.find((o) => o.name === name)?.type;
  if (t?.kind !== 'tensor') return null;
  return declaredShapesHold ? t : { kind: 'tensor', dtype: t.dtype, shape: null };
}

function sameType(a: ValueType | null, b: ValueType | null): boolean {
  if (a?.kind !== 'tensor' || b?.kind !== 'tensor') return a === b;
  const sa: readonly Dim[] | null = a.shape;
  const sb: readonly Dim[] | null = b.shape;
  return a.dtype === b.dtype && !!sa && !!sb && sa.length === sb.length && sa.every((d, i) => d === sb[i]) && isConcrete(sa);
}
