// Activation fusion: an activation right after a Conv, ConvTranspose, Gemm, MatMul or elementwise
// binary op whose result nothing else reads becomes that producer's epilogue (attributes
// `kiln_activation` and `kiln_activation_params`, meaning in ./activation.ts); the producer then
// writes the activation's output. SiLU as exporters write it, Mul(x, Sigmoid(x)), fuses as Swish.
// Backends that ask for fusion must implement the epilogue.

import type { Model, Node } from '../ir/graph';
import { isFloatType, toNumbers } from '../tensor';
import { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR, isActivationName, type ActivationName } from './activation';
import { attrsOf, opsetOf, useCounts, withAttrs, withGraph, type TypeMap } from './graph-util';

/** Producers whose kernels can apply an epilogue to each output element they write. */
export const FUSABLE_PRODUCERS: ReadonlySet<string> = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'Add', 'Sub', 'Mul', 'Div']);

export function fuseActivations(model: Model, types: TypeMap): Model {
  return fuseSingleActivations(fuseSilu(model, types), types);
}

/**
 * What both fusions look up: each value's producing node, use counts, graph outputs, and the
 * nodes as a list a fusion edits in place (null where it removed one).
 */
function scan(model: Model) {
  const g = model.graph;
  const producer = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o !== '' && producer.set(o, i)));
  const nodes: (Node | null)[] = [...g.nodes];
  return { producer, uses: useCounts(g), graphOutputs: new Set(g.outputs.map((o) => o.name)), nodes };
}

/** Whether `x` may take an epilogue: one float output of a fusable producer that has none yet. */
function fusableProducer(nodes: readonly (Node | null)[], pi: number | undefined, x: string, types: TypeMap): Node | undefined {
  const prod = pi === undefined ? undefined : nodes[pi];
  if (!prod || prod.domain !== '' || !FUSABLE_PRODUCERS.has(prod.op) || prod.outputs.length !== 1) return undefined;
  if (prod.attrs.has(ACTIVATION_ATTR)) return undefined; // one epilogue per producer
  const t = types.get(x);
  return t && isFloatType(t.dtype) ? prod : undefined; // epilogues are float math
}

/** Mul(x, Sigmoid(x)) where nothing else reads x or the sigmoid → the producer of x with Swish(1). */
function fuseSilu(model: Model, types: TypeMap): Model {
  const g = model.graph;
  const { producer, uses, graphOutputs, nodes } = scan(model);
  let changed = false;
  g.nodes.forEach((mul, mi) => {
    if (mul.domain !== '' || mul.op !== 'Mul' || mul.inputs.length !== 2 || mul.outputs.length !== 1) return;
    for (const [si, xi] of [[0, 1], [1, 0]]) {
      const s = mul.inputs[si], x = mul.inputs[xi];
      const sgi = producer.get(s);
      const sig = sgi === undefined ? null : nodes[sgi];
      if (!sig || sig.domain !== '' || sig.op !== 'Sigmoid' || sig.inputs[0] !== x) continue;
      if (uses.get(s) !== 1 || uses.get(x) !== 2 || graphOutputs.has(s) || graphOutputs.has(x)) continue;
      const pi = producer.get(x);
      const prod = fusableProducer(nodes, pi, x, types);
      if (!prod) continue;
      nodes[pi!] = {
        ...withAttrs(prod, {
          [ACTIVATION_ATTR]: { kind: 'string', value: 'Swish' },
          [ACTIVATION_PARAMS_ATTR]: { kind: 'floats', value: [1] },
        }),
        outputs: [mul.outputs[0]],
      };
      nodes[sgi!] = null;
      nodes[mi] = null;
      changed = true;
      return;
    }
  });
  return changed ? withGraph(model, { nodes: nodes.filter((n): n is Node => n !== null) }) : model;
}

function fuseSingleActivations(model: Model, types: TypeMap): Model {
  const g = model.graph;
  const { producer, uses, graphOutputs, nodes } = scan(model);
  let changed = false;

  g.nodes.forEach((act, ai) => {
    if (act.domain !== '' || !isActivationName(act.op) || act.outputs.length !== 1) return;
    const x = act.inputs[0];
    const pi = producer.get(x);
    if (!x || pi === undefined || uses.get(x) !== 1 || graphOutputs.has(x)) return;
    const prod = fusableProducer(nodes, pi, x, types);
    if (!prod) return;
    const params = activationParams(model, act);
    if (!params) return;
    nodes[pi] = {
      ...withAttrs(prod, {
        [ACTIVATION_ATTR]: { kind: 'string', value: act.op },
        [ACTIVATION_PARAMS_ATTR]: { kind: 'floats', value: params },
      }),
      outputs: [act.outputs[0]],
    };
    nodes[ai] = null;
    changed = true;
  });
  return changed ? withGraph(model, { nodes: nodes.filter((n): n is Node => n !== null) }) : model;
}

/** The epilogue's parameters, or undefined when they are not constant (a Clip fed bounds at run time). */
function activationParams(model: Model, act: Node): number[] | undefined {
  const a = attrsOf(act);
  switch (act.op as ActivationName) {
    case 'LeakyRelu': return [a.float('alpha', 0.01)];
    case 'Elu': return [a.float('alpha', 1)];
    case 'HardSigmoid': return [a.float('alpha', 0.2), a.float('beta', 0.5)];
    case 'Gelu': return [a.string('approximate', 'none') === 'tanh' ? 1 : 0];
    case 'Swish': return [a.float('alpha', 1)];
    case 'Clip': return clipBounds(model, act);
    default: return act.inputs.length === 1 ? [] : undefined;
  }
}

/** Clip's [min, max]: attributes before opset 11, constant inputs from 11 (missing = ∓Infinity). */
function clipBounds(model: Model, clip: Node): number[] | undefined {
  if (opsetOf(model, clip) < 11) {
    const a = attrsOf(clip);
    return [a.float('min', -Infinity), a.float('max', Infinity)];
  }
  const inputNames = new Set(model.graph.inputs.map((i) => i.name));
  const bound = (i: number, missing: number): number | undefined => {
    const name = clip.inputs[i];
    if (!name) return missing;
    const t = inputNames.has(name) ? undefined : model.graph.initializers.get(name);
    if (!t || t.data.length !== 1 || t.type === 'string') return undefined;
    return toNumbers(t)[0];
  };
  const min = bound(1, -Infinity);
  const max = bound(2, Infinity);
  return min === undefined || max === undefined ? undefined : [min, max];
}
