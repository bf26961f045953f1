// Lowering: an optimized, shape-specialised model → a plan of steps, each a node lowered to GPU
// dispatches, an alias (no kernel), a Concat its producers write in place (./concat-in-place), or
// a CPU fallback on the reference kernel with the reason.

import type { Model, Node, TensorType } from '../../ir/graph';
import { lookupOp } from '../../ops/registry';
import { Attrs } from '../../ops/spec';
import type { Dispatch, ValueDesc } from './kernel';
import { concatsInPlace } from './concat-in-place';
import { kernelFor } from './kernels';
import type { GemmChooser } from './kernels/gemm-template';
import { concrete } from './storage';

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
  const steps = model.graph.nodes.map((node) => lowerNode(model, types, node, opts));
  return { model, types, steps: concatsInPlace(steps, model.graph, types) };
}

function lowerNode(
  model: Model, types: ReadonlyMap<string, TensorType | null>, node: Node, { genericShapes, subgroups, gemmChoice }: LowerOptions,
): Step {
  const cpu = (reason: string): Step => ({ kind: 'cpu', node, reason });
  const gen = kernelFor(node.domain, node.op);
  if (!gen) return cpu(`no WebGPU kernel for ${node.domain ? node.domain + '.' : ''}${node.op}`);
  const spec = lookupOp(node.domain, node.op);
  if (!spec) return cpu(`unknown op ${node.op}`);
  const inputs = node.inputs.map((n) => (n ? concrete(types.get(n)) : undefined));
  const outputs = node.outputs.map((n) => concrete(types.get(n)));
  const unknown = node.inputs.find((n, i) => n && !inputs[i]) ?? node.outputs.find((n, i) => n && !outputs[i]);
  if (unknown !== undefined) {
    const t = types.get(unknown);
    if (t?.kind === 'tensor' && t.dtype === 'string') return cpu(`'${unknown}' is a string tensor: strings cannot live on the GPU`);
    return cpu(`the type or shape of '${unknown}' is not known at compile time`);
  }
  const opset = model.opsets.get(node.domain) ?? model.opsets.get('') ?? 1;
  const lowering = gen({
    node,
    attrs: spec.attrs(new Attrs(node.op, node.attrs), opset),
    opset,
    inputs,
    outputs: outputs as ValueDesc[],
    constants: node.inputs.map((n) => (n ? model.graph.initializers.get(n) : undefined)),
    genericShapes,
    subgroups,
    gemmChoice,
  });
  switch (lowering.kind) {
    case 'dispatch': return { kind: 'gpu', node, dispatches: lowering.dispatches };
    case 'alias': return { kind: 'alias', node, input: lowering.input };
    case 'unsupported': return cpu(`${node.op}: ${lowering.reason}`);
  }
}
