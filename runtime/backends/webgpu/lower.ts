// Lowering: an optimized, shape-specialised model → a plan of steps, each a node lowered to GPU
// dispatches, an alias (no kernel), a Concat its producers write in place (./concat-in-place), or
// a CPU fallback on the reference kernel with the reason.
//
// Layouts: the kernels read and write ONNX's channels-first order, except that a conv reads or
// writes channels-last where convLayouts allows it. The layout-choice pass
// (../../passes/layout-choice.ts) places those next to the Transposes between NHWC and NCHW that
// models converted from TensorFlow carry, which then cost nothing: a Transpose whose input or
// output is stored channels-last is an alias of it. No conversion kernel is ever added: a value
// stays channels-last only where every reader takes it so.

import type { Model, Node, TensorType } from '../../ir/graph';
import { lookupOp } from '../../ops/registry';
import { Attrs } from '../../ops/spec';
import { chooseLayouts, layoutFree, type Layout, type StepLayouts } from '../../passes/layout-choice';
import type { Dispatch, LowerArgs, ValueDesc } from './kernel';
import { concatsInPlace } from './concat-in-place';
import { kernelFor } from './kernels';
import { convLayouts } from './kernels/conv';
import type { GemmChooser } from './kernels/gemm-template';
import { ELEMENT_BYTES, concrete } from './storage';

export type Step =
  | { readonly kind: 'gpu'; readonly node: Node; readonly dispatches: readonly Dispatch[] }
  | { readonly kind: 'alias'; readonly node: Node; readonly input: number }
  /** a Concat whose inputs live in its output's buffer, input i at byte offsets[i]: no kernel */
  | { readonly kind: 'slabs'; readonly node: Node; readonly offsets: readonly number[] }
  | { readonly kind: 'cpu'; readonly node: Node; readonly reason: string };

export interface Plan {
  readonly model: Model;
  readonly types: ReadonlyMap<string, TensorType | null>;
  readonly steps: readonly Step[];
}

export interface LowerOptions {
  /** sizes as kernel uniforms where a generator can (the default), or every one a constant */
  readonly genericShapes?: boolean;
  /** workgroup sums by subgroup operations (the device must have 'subgroups'); default false */
  readonly subgroups?: boolean;
  /** tuned GEMM configurations (../tune.ts); absent, every GEMM takes the defaults */
  readonly gemmChoice?: GemmChooser;
}

export function lower(model: Model, types: ReadonlyMap<string, TensorType | null>, options: LowerOptions = {}): Plan {
  const opts = { genericShapes: options.genericShapes ?? true, subgroups: options.subgroups ?? false, gemmChoice: options.gemmChoice };
  // each node's generator arguments, made once for the layout choice and the lowering (and its retry)
  const made = new Map<Node, LowerArgs | string>();
  const argsFor = (node: Node) => made.get(node) ?? made.set(node, argsOf(model, types, node, opts)).get(node)!;
  const lowerAll = (last: ReadonlySet<string>) => model.graph.nodes.map((node) => lowerNode(node, argsFor, last));
  const last = channelsLastValues(model, types, argsFor);
  let steps = lowerAll(last);
  // a node touching a channels-last value that did not become the kernel or alias planned for it
  // (a conv whose generator refused after all): lower again, all channels-first
  const planned = (s: Step) => s.kind === 'alias' || (s.kind === 'gpu' && s.node.op === 'Conv');
  if (steps.some((s) => !planned(s) && [...s.node.inputs, ...s.node.outputs].some((v) => last.has(v)))) steps = lowerAll(new Set());
  return { model, types, steps: concatsInPlace(steps, model.graph, types) };
}

/** The perm of a 4-D Transpose that moves channels last ([0, 2, 3, 1]) or first ([0, 3, 1, 2]). */
function channelMove(node: Node): 'toLast' | 'toFirst' | undefined {
  const perm = node.attrs.get('perm');
  if (node.op !== 'Transpose' || node.domain !== '' || perm?.kind !== 'ints' || perm.value.length !== 4) return undefined;
  const p = perm.value.map(Number).join(',');
  return p === '0,2,3,1' ? 'toLast' : p === '0,3,1,2' ? 'toFirst' : undefined;
}

/**
 * The values the plan stores channels-last, as the layout-choice pass picks them: a Transpose
 * moving channels first writes its output channels-last (it is its input's bytes), one moving them
 * last wants its input so, a conv reads and writes as convLayouts says, every other node reads and
 * writes channels-first.
 */
function channelsLastValues(model: Model, types: ReadonlyMap<string, TensorType | null>, argsFor: (node: Node) => LowerArgs | string): Set<string> {
  const g = model.graph;
  const rules = g.nodes.map((node): StepLayouts => {
    const move = channelMove(node);
    if (move === 'toFirst') return { inputs: ['plain'], output: 'nhwc' };
    if (move === 'toLast') return { inputs: ['nhwc'], output: 'plain' };
    const args = node.op === 'Conv' && node.domain === '' ? argsFor(node) : undefined;
    return typeof args === 'object' ? convLayouts(args as LowerArgs<never>) : { inputs: node.inputs.map(() => 'plain'), output: 'plain' };
  });
  if (!rules.some((r) => r.output !== 'plain' || r.inputs.some((l) => l !== 'plain'))) return new Set();
  const bytes = new Map<string, number>();
  for (const [name, t] of types) {
    const d = concrete(t);
    if (d && d.dims.length === 4 && !layoutFree(d.dims)) bytes.set(name, ELEMENT_BYTES * d.dims.reduce((a, b) => a * b, 1));
  }
  const steps = g.nodes.map((node, i) => ({ inputs: node.inputs, outputs: node.outputs, layouts: rules[i] }));
  const choice = chooseLayouts({ steps, bytes, outputs: g.outputs.map((o) => o.name) });
  // channels-last where chosen so and no reader needs it converted (nothing here converts)
  const last = new Set<string>();
  steps.forEach((s, i) => {
    for (const o of s.outputs) if (choice.steps[i] === 'nhwc' && bytes.has(o) && !choice.conversions.has(o)) last.add(o);
  });
  return last;
}

/** A generator's arguments for the node, or why it has none. */
function argsOf(model: Model, types: ReadonlyMap<string, TensorType | null>, node: Node, { genericShapes, subgroups, gemmChoice }: LowerOptions): LowerArgs | string {
  const spec = lookupOp(node.domain, node.op);
  if (!spec) return `unknown op ${node.op}`;
  const inputs = node.inputs.map((n) => (n ? concrete(types.get(n)) : undefined));
  const outputs = node.outputs.map((n) => concrete(types.get(n)));
  const unknown = node.inputs.find((n, i) => n && !inputs[i]) ?? node.outputs.find((n, i) => n && !outputs[i]);
  if (unknown !== undefined) {
    const t = types.get(unknown);
    if (t?.kind === 'tensor' && t.dtype === 'string') return `'${unknown}' is a string tensor: strings cannot live on the GPU`;
    return `the type or shape of '${unknown}' is not known at compile time`;
  }
  const opset = model.opsets.get(node.domain) ?? model.opsets.get('') ?? 1;
  return {
    node,
    attrs: spec.attrs(new Attrs(node.op, node.attrs), opset),
    opset,
    inputs,
    outputs: outputs as ValueDesc[],
    constants: node.inputs.map((n) => (n ? model.graph.initializers.get(n) : undefined)),
    genericShapes,
    subgroups,
    gemmChoice,
  };
}

function lowerNode(node: Node, argsFor: (node: Node) => LowerArgs | string, last: ReadonlySet<string>): Step {
  const cpu = (reason: string): Step => ({ kind: 'cpu', node, reason });
  const move = channelMove(node);
  if ((move === 'toFirst' && last.has(node.outputs[0])) || (move === 'toLast' && last.has(node.inputs[0]))) return { kind: 'alias', node, input: 0 };
  const gen = kernelFor(node.domain, node.op);
  if (!gen) return cpu(`no WebGPU kernel for ${node.domain ? node.domain + '.' : ''}${node.op}`);
  const args = argsFor(node);
  if (typeof args === 'string') return cpu(args);
  const layouts = [...node.inputs, ...node.outputs].some((v) => last.has(v))
    ? { inputs: node.inputs.map((v): Layout => (last.has(v) ? 'nhwc' : 'plain')), output: (last.has(node.outputs[0]) ? 'nhwc' : 'plain') as Layout }
    : undefined;
  const lowering = gen({ ...args, layouts });
  switch (lowering.kind) {
    case 'dispatch': return { kind: 'gpu', node, dispatches: lowering.dispatches };
    case 'alias': return { kind: 'alias', node, input: lowering.input };
    case 'unsupported': return cpu(`${node.op}: ${lowering.reason}`);
  }
}
