// Residual fusion, the elementwise tail of a convolution: Add(conv(x), r), where nothing else reads
// the conv's result and r has the result's shape, becomes the Conv's epilogue. The Conv takes r as
// an extra input at index `kiln_residual` (after X, W and a possibly empty B) and writes the Add's
// output; its kernel adds r after the bias and before any activation, which activation fusion
// (run after this pass) may then add: ResNet's Conv → Add → Relu is one kernel.
// Backends that ask for this fusion must implement the epilogue (the WebGPU conv kernels do).

import type { Model, Node } from '../ir/graph';
import { fromNumbers, toNumbers, type Tensor } from '../tensor';
import { ACTIVATION_ATTR } from './activation';
import { float32Shape, useCounts, withAttrs, withGraph, type TypeMap } from './graph-util';

export const RESIDUAL_ATTR = 'kiln_residual';

/** The input index of a node's fused residual, if it has one. */
export function residualInput(node: Node): number | undefined {
  const a = node.attrs.get(RESIDUAL_ATTR);
  return a?.kind === 'int' ? Number(a.value) : undefined;
}

export function fuseResidualAdds(model: Model, types: TypeMap): Model {
  const g = model.graph;
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const uses = useCounts(g);
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const nodes: (Node | null)[] = [...g.nodes];
  let changed = false;
  g.nodes.forEach((add, ai) => {
    if (add.domain !== '' || add.op !== 'Add' || add.inputs.length !== 2 || add.outputs.length !== 1) return;
    const shape = float32Shape(types, add.outputs[0]);
    if (!shape) return;
    for (const [yi, ri] of [[0, 1], [1, 0]]) {
      const y = add.inputs[yi], r = add.inputs[ri];
      const ci = producer.get(y);
      const conv = ci === undefined ? null : nodes[ci];
      if (!conv || conv.domain !== '' || conv.op !== 'Conv' || conv.outputs.length !== 1) continue;
      if (conv.attrs.has(ACTIVATION_ATTR) || conv.attrs.has(RESIDUAL_ATTR)) continue;
      if (y === r || uses.get(y) !== 1 || graphOutputs.has(y)) continue;
      // r must exist when the conv runs (the graph is in topological order) and need no broadcast
      const rp = producer.get(r);
      if (rp !== undefined && rp > ci!) continue;
      const rs = float32Shape(types, r);
      const ys = float32Shape(types, y);
      if (!rs || !ys || rs.length !== shape.length || rs.some((d, k) => d !== shape[k]) || ys.some((d, k) => d !== shape[k])) continue;
      const inputs = [conv.inputs[0], conv.inputs[1], conv.inputs[2] ?? '', r];
      nodes[ci!] = { ...withAttrs(conv, { [RESIDUAL_ATTR]: { kind: 'int', value: 3 } }), inputs, outputs: [add.outputs[0]] };
      nodes[ai] = null;
      changed = true;
      return;
    }
  });
  return changed ? withGraph(model, { nodes: nodes.filter((n): n is Node => n !== null) }) : model;
}

/** A fused producer's output with its residual added, on the CPU (for a node on a reference kernel). */
export function addFusedResidual(node: Node, t: Tensor, residual: Tensor | undefined): Tensor {
  if (residualInput(node) === undefined) return t;
  if (!residual || residual.data.length !== t.data.length) throw new Error(`${node.name}: the fused residual does not match the output`);
  const x = toNumbers(t);
  const r = toNumbers(residual);
  for (let i = 0; i < x.length; i++) x[i] += r[i];
  return fromNumbers(t.type, t.dims, x);
}
