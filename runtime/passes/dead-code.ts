// Dead-code elimination: drops nodes none of whose outputs reach a graph output (a subgraph's read
// of an outer name counts as a use), then initializers and annotations nobody reads.

import type { Model, Node, ValueInfo } from '../ir/graph';
import type { Tensor } from '../tensor';
import { usedNames, withGraph } from './graph-util';

export function eliminateDeadCode(model: Model): Model {
  const g = model.graph;
  const live = new Set(g.outputs.map((o) => o.name));
  const kept: Node[] = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const node = g.nodes[i];
    if (!node.outputs.some((o) => o !== '' && live.has(o))) continue;
    kept.push(node);
    usedNames(node).forEach((n) => live.add(n));
  }
  kept.reverse();
  if (kept.length === g.nodes.length && [...g.initializers.keys()].every((n) => live.has(n))) return model;
  const initializers = new Map<string, Tensor>();
  g.initializers.forEach((t, n) => live.has(n) && initializers.set(n, t));
  const defined = new Set(kept.flatMap((n) => n.outputs));
  const valueInfo = new Map<string, ValueInfo>();
  g.valueInfo.forEach((v, n) => (defined.has(n) || live.has(n)) && valueInfo.set(n, v));
  return withGraph(model, { nodes: kept, initializers, valueInfo });
}
