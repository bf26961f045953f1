// Who reads a value: node inputs and the outer names a node's subgraphs capture. Shared by the
// executor (to free values after their last use) and the passes (dead code, fusion).

import type { Graph, Node } from './graph';

/** Names a node reads: its inputs, and every outer name its subgraphs read (captures). */
export function usedNames(node: Node): Set<string> {
  const names = new Set(node.inputs.filter((n) => n !== ''));
  for (const g of subgraphsOf(node)) for (const n of capturedNames(g)) names.add(n);
  return names;
}

/** The subgraphs held in a node's attributes (If branches, Loop/Scan bodies). */
export function subgraphsOf(node: Node): Graph[] {
  const out: Graph[] = [];
  for (const a of node.attrs.values()) {
    if (a.kind === 'graph') out.push(a.value);
    else if (a.kind === 'graphs') out.push(...a.value);
  }
  return out;
}

/** Names a graph reads from enclosing scopes: read inside it (at any depth) but not defined in it. */
export function capturedNames(g: Graph): Set<string> {
  const local = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
  for (const n of g.nodes) for (const o of n.outputs) if (o !== '') local.add(o);
  const out = new Set<string>();
  for (const n of g.nodes) for (const name of usedNames(n)) if (!local.has(name)) out.add(name);
  return out;
}

