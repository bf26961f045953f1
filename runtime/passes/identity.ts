// Identity elimination: an Identity (or an inference-mode Dropout, which is one) disappears and
// its consumers read its input instead; kept when its output is a graph output or is read by a
// subgraph (renaming inside subgraphs would need scope-aware rewriting).

import type { Model, Node } from '../ir/graph';
import { attrsOf, capturedByAnySubgraph, opsetOf, withGraph } from './graph-util';

export function eliminateIdentities(model: Model): Model {
  const g = model.graph;
  const outputs = new Set(g.outputs.map((o) => o.name));
  const captured = capturedByAnySubgraph(g);
  const alias = new Map<string, string>();
  const resolve = (n: string) => alias.get(n) ?? n;
  const nodes: Node[] = [];
  for (const node of g.nodes) {
    const inputs = node.inputs.map((n) => (n === '' ? n : resolve(n)));
    const out = node.outputs[0];
    if (isIdentity(model, node) && inputs[0] && out && !outputs.has(out) && !captured.has(out)) {
      alias.set(out, inputs[0]);
      continue;
    }
    nodes.push(inputs.every((n, i) => n === node.inputs[i]) ? node : { ...node, inputs });
  }
  if (alias.size === 0) return model;
  const valueInfo = new Map(g.valueInfo);
  alias.forEach((_, n) => valueInfo.delete(n));
  return withGraph(model, { nodes, valueInfo });
}

/** Identity, or Dropout that cannot be training (no mask output, training_mode absent or false). */
function isIdentity(model: Model, node: Node): boolean {
  if (node.domain !== '') return false;
  if (node.op === 'Identity') return node.inputs.length === 1;
  if (node.op !== 'Dropout' || node.outputs.slice(1).some((o) => o !== '')) return false;
  const opset = opsetOf(model, node);
  if (opset < 7) return attrsOf(node).int('is_test', 0) === 1;
  const mode = node.inputs[2];
  if (!mode) return true;
  const t = model.graph.initializers.get(mode);
  return !!t && t.data.length === 1 && !t.data[0] && !model.graph.inputs.some((i) => i.name === mode);
}
