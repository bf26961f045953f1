// Small helpers the graph passes share: who reads a value (subgraph captures included), rebuilding
// a model with a new graph, fresh names, and the type of a constant tensor.

import type { AttrValue, Dim, Graph, Model, Node, TensorType } from '../ir/graph';
import { capturedNames, subgraphsOf, usedNames } from '../ir/uses';
import { Attrs } from '../ops/spec';
import { byteSize, sizeOf, type Tensor } from '../tensor';

export { capturedNames, subgraphsOf, usedNames };

export const hasSubgraphs = (node: Node): boolean => subgraphsOf(node).length > 0;

/** Inferred type per value name (null where it cannot be known). */
export type TypeMap = ReadonlyMap<string, TensorType | null>;

/** A value's shape when it is float32 with every dimension known (what the fusions need). */
export function float32Shape(types: TypeMap, v: string): readonly number[] | undefined {
  const t = types.get(v);
  return t?.kind === 'tensor' && t.dtype === 'float32' && t.shape?.every((d) => typeof d === 'number') ? (t.shape as number[]) : undefined;
}

/** How many times each value is read in the graph: node inputs, subgraph captures, graph outputs. */
export function useCounts(g: Graph): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (n: string) => counts.set(n, (counts.get(n) ?? 0) + 1);
  for (const node of g.nodes) {
    node.inputs.forEach((n) => n !== '' && add(n));
    for (const sub of subgraphsOf(node)) capturedNames(sub).forEach(add);
  }
  g.outputs.forEach((o) => add(o.name));
  return counts;
}

/** Names read by some node's subgraph (renaming or removing them would need scope-aware rewriting). */
export function capturedByAnySubgraph(g: Graph): Set<string> {
  const out = new Set<string>();
  for (const node of g.nodes) for (const sub of subgraphsOf(node)) capturedNames(sub).forEach((n) => out.add(n));
  return out;
}

/** The model with some of its main graph's fields replaced (passes never mutate their input). */
export function withGraph(model: Model, changes: Partial<Graph>): Model {
  return { ...model, graph: { ...model.graph, ...changes } };
}

/** The opset a node was imported under (its domain's, falling back to ai.onnx's). */
export function opsetOf(model: Model, node: Node): number {
  return model.opsets.get(node.domain) ?? model.opsets.get('') ?? 1;
}

export const attrsOf = (node: Node): Attrs => new Attrs(node.op, node.attrs);

/** A node with some attributes set (others kept). */
export function withAttrs(node: Node, set: Record<string, AttrValue>): Node {
  const attrs = new Map(node.attrs);
  for (const [k, v] of Object.entries(set)) attrs.set(k, v);
  return { ...node, attrs };
}

/** A name not yet in `taken` (which it is added to), starting from `base`. */
export function freshName(base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}${i}`;
  taken.add(name);
  return name;
}

/** Every value name a graph defines or reads (for picking fresh names). */
export function allNames(g: Graph): Set<string> {
  const s = new Set<string>([...g.inputs.map((i) => i.name), ...g.outputs.map((o) => o.name), ...g.initializers.keys(), ...g.valueInfo.keys()]);
  for (const n of g.nodes) {
    n.inputs.forEach((x) => s.add(x));
    n.outputs.forEach((x) => s.add(x));
  }
  return s;
}

export const typeOfTensor = (t: Tensor): TensorType => ({ kind: 'tensor', dtype: t.type, shape: [...t.dims] });

/** True when the shape is known and every dim is a number. */
export function isConcrete(shape: readonly Dim[] | null | undefined): shape is readonly number[] {
  return !!shape && shape.every((d) => typeof d === 'number');
}

export function tensorBytes(t: Tensor): number {
  return t.type === 'string' ? (t.data as string[]).reduce((s, x) => s + x.length, 0) : sizeOf(t.dims) * byteSize(t.type);
}
