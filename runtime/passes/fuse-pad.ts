// Pad fusion: a constant, zero Pad of the spatial axes whose only readers are Convs (as their data
// input) becomes part of those Convs' own pads, so no kernel writes the padded copy. Models
// converted from TensorFlow pad explicitly before each stride-2 convolution ('valid' padding after
// tf.pad): M-LSD's three such Pads copy its largest activations, 15 MB a run.

import type { Model, Node } from '../ir/graph';
import { padAttrs } from '../ops/movement/pad';
import { toNumbers, type Tensor } from '../tensor';
import { attrsOf, capturedByAnySubgraph, opsetOf, useCounts, withAttrs, withGraph } from './graph-util';

export function fusePads(model: Model): Model {
  const g = model.graph;
  const inputNames = new Set(g.inputs.map((i) => i.name));
  const constant = (n: string | undefined): Tensor | undefined => (n && !inputNames.has(n) ? g.initializers.get(n) : undefined);
  const uses = useCounts(g);
  const captured = capturedByAnySubgraph(g);
  const readers = new Map<string, number[]>();
  g.nodes.forEach((n, i) => n.inputs.forEach((x) => {
    if (x === '') return;
    const r = readers.get(x);
    if (r) r.push(i);
    else readers.set(x, [i]);
  }));
  const nodes: (Node | null)[] = [...g.nodes];
  let changed = false;

  g.nodes.forEach((pad, pi) => {
    if (pad.op !== 'Pad' || pad.domain !== '' || pad.outputs.length !== 1 || captured.has(pad.outputs[0])) return;
    const pads = zeroPadding(pad, opsetOf(model, pad), constant);
    if (!pads) return;
    const y = pad.outputs[0];
    const convs = readers.get(y) ?? [];
    // every read of the padded value is a Conv's data input (not a graph output, not a weight)
    if (convs.length === 0 || convs.length !== uses.get(y)) return;
    const merged = convs.map((ci) => nodes[ci] && mergePads(nodes[ci]!, y, pad.inputs[0], pads));
    if (merged.some((m) => !m)) return;
    convs.forEach((ci, k) => (nodes[ci] = merged[k]!));
    nodes[pi] = null;
    changed = true;
  });
  if (!changed) return model;
  return withGraph(model, { nodes: nodes.filter((n): n is Node => n !== null) });
}

/**
 * A Pad's begin and end pads of each spatial axis ([b0, b1, …, e0, e1, …] over axes 2…), when it
 * pads those axes alone, by zero or more, with zeros; undefined for anything else.
 */
function zeroPadding(pad: Node, opset: number, constant: (n: string | undefined) => Tensor | undefined): number[] | undefined {
  let attrs: ReturnType<typeof padAttrs>;
  try {
    attrs = padAttrs(attrsOf(pad), opset);
  } catch {
    return undefined; // malformed: left for the executor to report
  }
  if (attrs.mode !== 'constant' || attrs.value !== 0) return undefined;
  let pads = attrs.pads;
  if (opset >= 11) {
    // axes (opset 18) would spread the pads over named axes: left unfused
    if (pad.inputs[3]) return undefined;
    const p = constant(pad.inputs[1]);
    pads = p && Array.from(toNumbers(p), Number);
    if (pad.inputs[2]) {
      const value = constant(pad.inputs[2]);
      if (!value || toNumbers(value).some((v) => Number(v) !== 0)) return undefined;
    }
  }
  if (!pads || pads.length % 2 !== 0) return undefined;
  const rank = pads.length / 2;
  if (rank < 3 || pads.some((p) => !Number.isInteger(p) || p < 0)) return undefined;
  if (pads[0] || pads[1] || pads[rank] || pads[rank + 1]) return undefined;
  return [...pads.slice(2, rank), ...pads.slice(rank + 2)];
}

/** The Conv reading `padded` as its data, now reading `source` (the Pad's input) with the pads added to its own. */
function mergePads(conv: Node, padded: string, source: string, extra: readonly number[]): Node | undefined {
  if (conv.op !== 'Conv' || conv.domain !== '' || conv.inputs[0] !== padded || conv.inputs.indexOf(padded, 1) !== -1) return undefined;
  const a = attrsOf(conv);
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') return undefined;
  const own = autoPad === 'VALID' ? [] : a.ints('pads', []);
  if (own.length !== 0 && own.length !== extra.length) return undefined;
  const pads = extra.map((p, i) => p + (own[i] ?? 0));
  const next = withAttrs(conv, { pads: { kind: 'ints', value: pads }, auto_pad: { kind: 'string', value: 'NOTSET' } });
  return { ...next, inputs: [source, ...conv.inputs.slice(1)] };
}
