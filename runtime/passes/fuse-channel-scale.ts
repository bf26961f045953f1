// Channel-scale fusion, the prologue of a pointwise convolution: Conv1×1(Mul(x, s)), where s scales
// each channel of x ([N, C, 1, 1] against x's [N, C, H, W], as a squeeze-and-excitation block ends)
// and nothing else reads the product, becomes the Conv reading x and s: the kernel multiplies each
// input channel by its scale as it loads it, so the product is never written or read back, and one
// dispatch goes. The Conv takes s as an extra input at index `kiln_input_scale` (after X, W, a
// possibly empty B and any fused residual). Only group-1 Convs with a 1×1 kernel, unit strides and
// no pads: the ones the WebGPU pointwise kernel reads as a plain GEMM. Runs after activation
// fusion, which takes a SiLU's Mul(x, Sigmoid(x)) first (it would look like a channel scale where
// x is [N, C, 1, 1], in the squeeze half of the block). Backends that ask for this
// fusion must implement the prologue (the WebGPU conv kernels do; ./index.ts `fuseChannelScale`).

import type { Model, Node } from '../ir/graph';
import { fromNumbers, toNumbers, type Tensor } from '../tensor';
import { ACTIVATION_ATTR } from './activation';
import { attrsOf, float32Shape, useCounts, withAttrs, withGraph, type TypeMap } from './graph-util';

export const INPUT_SCALE_ATTR = 'kiln_input_scale';

/** The input index of a node's fused channel scale, if it has one. */
export function inputScaleInput(node: Node): number | undefined {
  const a = node.attrs.get(INPUT_SCALE_ATTR);
  return a?.kind === 'int' ? Number(a.value) : undefined;
}

/** Whether the Conv is group 1, 1×1, unit strides, no pads (what the pointwise kernel runs). */
function pointwise(conv: Node, model: Model, types: TypeMap): boolean {
  // BatchNorm folding gives a Conv new weights, which the types (inferred before it) do not name
  const w = model.graph.initializers.get(conv.inputs[1])?.dims ?? float32Shape(types, conv.inputs[1]);
  if (!w || w.length !== 4 || w[2] !== 1 || w[3] !== 1) return false;
  const a = attrsOf(conv);
  return a.int('group', 1) === 1 && a.ints('strides', [1, 1]).every((s) => s === 1) && a.ints('pads', [0, 0, 0, 0]).every((p) => p === 0);
}

export function fuseChannelScales(model: Model, types: TypeMap): Model {
  const g = model.graph;
  const consumers = new Map<string, number[]>();
  g.nodes.forEach((n, i) => n.inputs.forEach((v) => v !== '' && consumers.set(v, [...(consumers.get(v) ?? []), i])));
  const uses = useCounts(g);
  const graphOutputs = new Set(g.outputs.map((o) => o.name));
  const nodes: (Node | null)[] = [...g.nodes];
  let changed = false;
  g.nodes.forEach((mul, mi) => {
    if (mul.domain !== '' || mul.op !== 'Mul' || mul.inputs.length !== 2 || mul.outputs.length !== 1) return;
    if (mul.attrs.has(ACTIVATION_ATTR)) return; // its epilogue would be lost
    const product = mul.outputs[0];
    const readers = consumers.get(product) ?? [];
    if (uses.get(product) !== 1 || graphOutputs.has(product) || readers.length !== 1) return;
    const ci = readers[0];
    const conv = nodes[ci];
    if (!conv || conv.domain !== '' || conv.op !== 'Conv' || conv.inputs[0] !== product) return;
    if (conv.attrs.has(INPUT_SCALE_ATTR) || !pointwise(conv, model, types)) return;
    for (const [xi, si] of [[0, 1], [1, 0]]) {
      const x = mul.inputs[xi], s = mul.inputs[si];
      const xs = float32Shape(types, x), ss = float32Shape(types, s), ps = float32Shape(types, product);
      if (!xs || !ss || !ps || xs.length !== 4 || ps.some((d, k) => d !== xs[k])) continue;
      if (ss.length !== 4 || ss[0] !== xs[0] || ss[1] !== xs[1] || ss[2] !== 1 || ss[3] !== 1) continue;
      const inputs = [x, ...conv.inputs.slice(1)];
      while (inputs.length < 3) inputs.push('');
      nodes[ci] = { ...withAttrs(conv, { [INPUT_SCALE_ATTR]: { kind: 'int', value: inputs.length } }), inputs: [...inputs, s] };
      nodes[mi] = null;
      changed = true;
      return;
    }
  });
  return changed ? withGraph(model, { nodes: nodes.filter((n): n is Node => n !== null) }) : model;
}

/** The input a fused Conv reads, its channels scaled, on the CPU (for a node on a reference kernel). */
export function scaleFusedInput(node: Node, x: Tensor, scale: Tensor | undefined): Tensor {
  if (inputScaleInput(node) === undefined) return x;
  const [N, C] = x.dims;
  if (!scale || scale.data.length !== N * C) throw new Error(`${node.name}: the fused channel scale does not match the input`);
  const v = toNumbers(x);
  const s = toNumbers(scale);
  const plane = v.length / (N * C);
  for (let i = 0; i < v.length; i++) v[i] *= s[Math.floor(i / plane)];
  return fromNumbers(x.type, x.dims, v);
}
