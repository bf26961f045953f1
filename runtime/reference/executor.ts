// The reference executor: runs a graph node by node with the ops' plain-TypeScript kernels.
// Correct first; it is the oracle for the fast backends and the evaluator of constant folding.

import type { FunctionDef, Graph, Model, Node } from '../ir/graph';
import { usedNames } from '../ir/uses';
import { lookupOp } from '../ops/registry';
import { Attrs, NotSupportedOpError, OpError, type OpSpec, type RunContext } from '../ops/spec';
import { isTensor, type Tensor, type Value } from '../tensor';

interface Step {
  readonly node: Node;
  readonly spec: OpSpec;
  readonly attrs: unknown;
  readonly opset: number;
  /** values whose last use is this step: dropped after it runs, to bound memory */
  readonly frees: readonly string[];
}

/** Values visible to a graph: its own, then the enclosing graphs' (for If/Loop/Scan bodies). */
export type Scope = ReadonlyMap<string, Value>;

export class ReferenceExecutor {
  private readonly plans = new WeakMap<Graph, Step[]>();

  constructor(private readonly model: Model) {}

  /** Runs the main graph; `feeds` are keyed by input name. */
  run(feeds: ReadonlyMap<string, Value>): Map<string, Value> {
    const g = this.model.graph;
    const out = this.runGraph(g, g.inputs.map((i) => feeds.get(i.name) ?? null), new Map());
    return new Map(g.outputs.map((o, i) => [o.name, out[i]]));
  }

  /** Runs `graph` with positional inputs, resolving free names in `outer`. */
  runGraph(graph: Graph, inputs: readonly (Value | undefined)[], outer: Scope): Value[] {
    const env = new Map<string, Value>();
    graph.initializers.forEach((t, name) => env.set(name, t));
    graph.inputs.forEach((info, i) => {
      const v = inputs[i];
      if (v !== undefined) env.set(info.name, v);
    });
    const lookup = (name: string): Value | undefined => (env.has(name) ? env.get(name) : outer.get(name));
    const scope: Scope = { get: lookup, has: (n: string) => env.has(n) || outer.has(n) } as Scope;
    const keep = new Set(graph.outputs.map((o) => o.name));
    for (const step of this.plan(graph)) {
      const ins = step.node.inputs.map((n) => (n === '' ? undefined : lookup(n)));
      const outs = this.runStep(step, ins, scope);
      step.node.outputs.forEach((name, i) => {
        if (name !== '') env.set(name, outs[i] ?? null);
      });
      for (const f of step.frees) if (!keep.has(f)) env.delete(f);
    }
    return graph.outputs.map((o) => {
      const v = lookup(o.name);
      if (v === undefined) throw new Error(`graph output '${o.name}' was never produced`);
      return v;
    });
  }

  private runStep(step: Step, ins: (Value | undefined)[], scope: Scope): Value[] {
    const { node, spec } = step;
    const ctx: RunContext = {
      opset: step.opset,
      numOutputs: node.outputs.length,
      runGraph: (g, inputs) => this.runGraph(g, inputs, scope),
    };
    if (spec.runValues) return spec.runValues(ins, step.attrs, ctx);
    if (!spec.run) throw new NotSupportedOpError(node.op, 'has no reference kernel');
    const tensors = ins.map((v, i) => {
      if (v === undefined || v === null) return undefined;
      if (!isTensor(v)) throw new OpError(node.op, `input ${i} must be a tensor, got a ${v.type}`);
      return v;
    });
    return spec.run(tensors, step.attrs, ctx);
  }

  private plan(graph: Graph): Step[] {
    let steps = this.plans.get(graph);
    if (steps) return steps;
    const nodes = this.expandFunctions(graph.nodes);
    const lastUse = new Map<string, number>();
    nodes.forEach((n, i) => usedNames(n).forEach((name) => lastUse.set(name, i)));
    steps = nodes.map((node, i) => {
      const spec = lookupOp(node.domain, node.op);
      if (!spec) throw new NotSupportedOpError(node.op, `op ${node.domain ? node.domain + '.' : ''}${node.op} is not supported`);
      const opset = this.model.opsets.get(node.domain) ?? this.model.opsets.get('') ?? 1;
      const attrs = spec.attrs(new Attrs(node.op, node.attrs), opset);
      const frees = [...usedNames(node)].filter((n) => lastUse.get(n) === i);
      return { node, spec, attrs, opset, frees };
    });
    this.plans.set(graph, steps);
    return steps;
  }

  /** Inlines calls to model-local functions (renaming their internal values per call site). */
  private expandFunctions(nodes: readonly Node[], depth = 0): Node[] {
    const out: Node[] = [];
    nodes.forEach((node, k) => {
      const fn = this.model.functions.get(`${node.domain}:${node.op}`);
      if (!fn || lookupOp(node.domain, node.op)) {
        out.push(node);
        return;
      }
      if (depth > 16) throw new OpError(node.op, 'model-local functions nest too deeply');
      out.push(...this.expandFunctions(inline(fn, node, `${node.name || node.op}#${depth}.${k}/`), depth + 1));
    });
    return out;
  }
}

function inline(fn: FunctionDef, call: Node, prefix: string): Node[] {
  const rename = new Map<string, string>();
  fn.inputs.forEach((f, i) => rename.set(f, call.inputs[i] ?? ''));
  fn.outputs.forEach((f, i) => rename.set(f, call.outputs[i] ?? ''));
  const name = (n: string) => (n === '' ? '' : rename.get(n) ?? prefix + n);
  return fn.nodes.map((n) => ({ ...n, inputs: n.inputs.map(name), outputs: n.outputs.map(name) }));
}

export type { Tensor };
