// Test helpers for the graph passes: build a model in code, make seeded inputs, and evaluate a
// graph whose producers may carry fused epilogues (reference kernels + residual + applyActivation).

import type { Model, Node } from '../../runtime/ir/graph';
import { importOnnx } from '../../runtime/onnx/import';
import { lookupOp } from '../../runtime/ops/registry';
import { Attrs } from '../../runtime/ops/spec';
import { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR, addFusedResidual, applyActivation, opInputs, residualInput } from '../../runtime/passes';
import { ReferenceExecutor } from '../../runtime/reference/executor';
import { fromNumbers, isTensor, tensor, toNumbers, type Tensor } from '../../runtime/tensor';
import { buildModel } from '../fixtures/onnx-builder';

export const load = (spec: Parameters<typeof buildModel>[0]): Model => importOnnx(buildModel(spec));

/** Seeded values in [-2, 2), the same for the same seed. */
export function rand(dims: readonly number[], seed = 1, type: 'float32' | 'float64' = 'float32'): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const v = new Float64Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    v[i] = (s / 2 ** 32) * 4 - 2;
  }
  return fromNumbers(type, dims, v);
}

export const f32 = (dims: number[], values: number[]): Tensor => tensor('float32', dims, Float32Array.from(values));

/** Runs the main graph on the reference executor (no fused epilogues). */
export function runReference(model: Model, feeds: Record<string, Tensor>): Map<string, Tensor> {
  const out = new ReferenceExecutor(model).run(new Map(Object.entries(feeds)));
  return new Map([...out].map(([k, v]) => [k, asTensor(v)]));
}

/** A tiny evaluator that honours fused epilogues (residual, then activation): each node's reference kernel, then the epilogue. */
export function runFused(model: Model, feeds: Record<string, Tensor>): Map<string, Tensor> {
  const g = model.graph;
  const env = new Map<string, Tensor>([...g.initializers, ...Object.entries(feeds)]);
  for (const node of g.nodes) {
    const spec = lookupOp(node.domain, node.op);
    if (!spec?.run) throw new Error(`no kernel for ${node.op}`);
    const opset = model.opsets.get(node.domain) ?? model.opsets.get('') ?? 1;
    const attrs = spec.attrs(new Attrs(node.op, node.attrs), opset);
    const all = node.inputs.map((n) => (n === '' ? undefined : env.get(n)));
    const ri = residualInput(node);
    const ins = opInputs(node, all);
    const outs = spec.run(ins, attrs, { opset, numOutputs: node.outputs.length, runGraph: () => { throw new Error('no subgraphs'); } });
    outs[0] = epilogue(node, addFusedResidual(node, outs[0], ri === undefined ? undefined : all[ri]));
    node.outputs.forEach((o, i) => o !== '' && env.set(o, outs[i]));
  }
  return new Map(g.outputs.map((o) => [o.name, env.get(o.name)!]));
}

function epilogue(node: Node, t: Tensor): Tensor {
  const act = node.attrs.get(ACTIVATION_ATTR);
  if (!act) return t;
  if (act.kind !== 'string') throw new Error('kiln_activation must be a string');
  const p = node.attrs.get(ACTIVATION_PARAMS_ATTR);
  const params = p?.kind === 'floats' ? p.value : [];
  return fromNumbers(t.type, t.dims, toNumbers(t).map((x) => applyActivation(act.value, params, x)));
}

function asTensor(v: unknown): Tensor {
  if (!isTensor(v as Tensor)) throw new Error('expected a tensor output');
  return v as Tensor;
}

/** Largest |a − b| relative to max(1e-30, max |a|) over two same-shaped tensors. */
export function relDiff(a: Tensor, b: Tensor): number {
  if (a.dims.join() !== b.dims.join()) return Infinity;
  const x = toNumbers(a);
  const y = toNumbers(b);
  let diff = 0;
  let scale = 1e-30;
  for (let i = 0; i < x.length; i++) {
    diff = Math.max(diff, Math.abs(x[i] - y[i]));
    scale = Math.max(scale, Math.abs(x[i]));
  }
  return diff / scale;
}

export const ops = (m: Model): string[] => m.graph.nodes.map((n) => n.op);
