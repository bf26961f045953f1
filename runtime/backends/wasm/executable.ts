// A plan made runnable: one kernel instance with its own linear memory, in which compile time
// places everything — constants and packed weights (written once), the graph's inputs and
// outputs, intermediates pooled by the memory plan, one scratch area — and resolves every call's
// arguments to numbers. A run copies the inputs in, makes the calls in order, and copies the
// outputs out; a CPU fallback reads its inputs out of memory and writes its outputs back.

import type { Graph, Node } from '../../ir/graph';
import { lookupOp } from '../../ops/registry';
import { Attrs, OpError, type OpSpec, type RunContext } from '../../ops/spec';
import { applyFusedActivation } from '../../passes/activation';
import { planMemory } from '../../passes/memory-plan';
import { ReferenceExecutor } from '../../reference/executor';
import { byteSize, isTensor, sizeOf, type Tensor, type Value } from '../../tensor';
import type { KernelTime, PlanReport } from '../webgpu/executable';
import type { KernelExports } from './exports';
import { giveBackKernels } from './instances';
import type { Addr, Arg } from './kernel';
import type { Plan, Step } from './lower';
import { alignUp, Arena, ensureSize, readTensor, writeBytes, writeTensor } from './memory';

type Action =
  | { readonly kind: 'call'; readonly run: () => void; readonly label: string; readonly node: string }
  | { readonly kind: 'cpu'; readonly step: Extract<Step, { kind: 'cpu' }>; readonly spec: OpSpec; readonly attrs: unknown; readonly opset: number };

export class WasmPlan {
  private constructor(
    /** what the lowering made (plain data once packers are written out: the compiled-model cache stores it) */
    readonly plan: Plan,
    private readonly kernels: KernelExports,
    /** value → byte offset in memory (aliases resolved) */
    private readonly offsets: ReadonlyMap<string, number>,
    private readonly actions: readonly Action[],
    readonly report: PlanReport,
  ) {}

  static compile(plan: Plan, kernels: KernelExports): WasmPlan {
    const g = plan.model.graph;
    const memory = kernels.memory;
    const bytesOf = (name: string): number => {
      const v = plan.values.get(name)!;
      return sizeOf(v.dims) * byteSize(v.dtype);
    };
    // Which value each alias reads: follow alias steps back to a real value.
    const aliasOf = new Map<string, string>();
    for (const s of plan.steps) if (s.kind === 'alias') aliasOf.set(s.node.outputs[0], s.node.inputs[0]);
    const root = (n: string): string => (aliasOf.has(n) ? root(aliasOf.get(n)!) : n);

    const arena = new Arena(kernels.heap_base());
    const offsets = new Map<string, number>();
    const place = (name: string) => offsets.set(name, arena.take(bytesOf(name)));

    // Constants: the initializers the calls read (packed weights are the steps' own consts).
    const readByCalls = new Set<string>();
    for (const s of plan.steps) {
      if (s.kind !== 'wasm') continue;
      for (const c of s.calls) for (const a of c.args) if (typeof a !== 'number' && a.kind === 'input') readByCalls.add(root(s.node.inputs[a.index]));
    }
    const start = arena.size;
    for (const name of g.initializers.keys()) if (readByCalls.has(name) && plan.values.has(name)) place(name);
    const constOffsets = plan.steps.map((s) => (s.kind === 'wasm' ? s.consts.map((c) => arena.take(c.byteLength)) : []));
    const weights = arena.size - start;

    // Graph inputs and outputs: buffers of their own, never pooled.
    const pinned = new Set<string>([...g.inputs.map((i) => i.name), ...g.initializers.keys()]);
    for (const i of g.inputs) if (plan.values.has(i.name)) place(i.name);
    for (const phys of plan.outputs.values()) {
      const r = root(phys);
      pinned.add(r);
      if (!offsets.has(r) && plan.values.has(r) && !g.initializers.has(r)) place(r);
    }
    const io = arena.size - start - weights;

    // Intermediates: a pool sized by the memory plan over the steps' lifetimes.
    const planned = plan.steps.map((s): Node => (s.kind === 'cpu' ? { ...s.node, inputs: [...s.reads.values()], attrs: new Map() } : s.node));
    const sizes = new Map<string, number>();
    for (const s of plan.steps) {
      if (s.kind === 'alias') continue;
      for (const o of s.node.outputs) if (o && !pinned.has(o) && plan.values.has(o)) sizes.set(o, alignUp(bytesOf(o)));
    }
    const pool = planMemory(planned, sizes, pinned, aliasOf);
    const poolOffsets = pool.buffers.map((b) => arena.take(b));
    for (const [name, index] of pool.assignment) offsets.set(name, poolOffsets[index]);
    for (const [a] of aliasOf) {
      const at = offsets.get(root(a));
      if (at !== undefined) offsets.set(a, at);
    }
    const scratch = arena.take(Math.max(0, ...plan.steps.map((s) => (s.kind === 'wasm' ? s.scratch : 0))));
    const pooled = arena.size - start - weights - io;
    ensureSize(memory, arena.size);

    // Write the constants, then bind every call.
    for (const name of g.initializers.keys()) {
      const at = offsets.get(name);
      if (at !== undefined) writeTensor(memory, at, g.initializers.get(name)!);
    }
    const actions: Action[] = [];
    const fallbacks: { node: string; op: string; reason: string }[] = [];
    let calls = 0, aliases = 0, conversions = 0;
    const fns = new Set<string>();
    plan.steps.forEach((s, k) => {
      if (s.kind === 'alias') {
        aliases++;
        return;
      }
      if (s.kind === 'cpu') {
        const spec = lookupOp(s.node.domain, s.node.op);
        if (!spec) throw new OpError(s.node.op, 'is not supported');
        const opset = plan.model.opsets.get(s.node.domain) ?? plan.model.opsets.get('') ?? 1;
        actions.push({ kind: 'cpu', step: s, spec, attrs: spec.attrs(new Attrs(s.node.op, s.node.attrs), opset), opset });
        fallbacks.push({ node: s.node.name, op: s.node.op, reason: s.reason });
        return;
      }
      s.consts.forEach((c, i) => {
        if (ArrayBuffer.isView(c)) writeBytes(memory, constOffsets[k][i], c);
        else c.write(new Float32Array(memory.buffer, constOffsets[k][i], c.byteLength / 4));
      });
      if (s.conversion) conversions++;
      const resolve = (a: Arg): number => {
        if (typeof a === 'number') return a;
        const at = addressOf(a, s.node, offsets, constOffsets[k], scratch);
        if (at === undefined) throw new Error(`no memory for ${a.kind} ${'index' in a ? a.index : ''} of ${s.node.op} '${s.node.name}'`);
        return at;
      };
      for (const c of s.calls) {
        const fn = kernels[c.fn] as (...args: number[]) => void;
        const args = c.args.map(resolve);
        actions.push({ kind: 'call', run: () => fn(...args), label: `${s.node.op}/${c.fn}`, node: s.node.name });
        fns.add(c.fn);
        calls++;
      }
    });
    const report: PlanReport = {
      dispatches: calls,
      pipelines: fns.size,
      aliases,
      fallbacks,
      bytes: { weights, pooled, io },
    };
    return new WasmPlan(plan, kernels, offsets, actions, report);
  }

  /** Layout conversions the lowering inserted (for reports). */
  get conversions(): number {
    return this.plan.steps.filter((s) => s.kind === 'wasm' && s.conversion).length;
  }

  /** Each call's time in the last run made with `profile` (ms). */
  lastKernelTimes: KernelTime[] | undefined;

  private released = false;

  /** Gives the kernel instance back (./instances.ts); the plan cannot run after this. */
  release(): void {
    if (this.released) return;
    this.released = true;
    giveBackKernels(this.kernels);
  }

  run(feeds: ReadonlyMap<string, Value>, profile = false): Map<string, Value> {
    if (this.released) throw new Error('this plan was released (its memory went to another plan)');
    const g = this.plan.model.graph;
    const memory = this.kernels.memory;
    // Values the host holds: feeds that do not live in memory, CPU fallbacks' outputs.
    const host = new Map<string, Value>();
    for (const i of g.inputs) {
      const v = feeds.get(i.name) ?? null;
      host.set(i.name, v);
      const at = this.offsets.get(i.name);
      if (at !== undefined && isTensor(v)) writeTensor(memory, at, v);
    }
    const read = (name: string): Value | undefined => {
      if (host.has(name)) return host.get(name);
      const t = g.initializers.get(name);
      if (t) return t;
      const v = this.plan.values.get(name);
      const at = this.offsets.get(name);
      return v && at !== undefined ? readTensor(memory, at, v.dtype, v.dims) : undefined;
    };
    const times: KernelTime[] | undefined = profile ? [] : undefined;
    for (const a of this.actions) {
      const t0 = times ? performance.now() : 0;
      if (a.kind === 'call') a.run();
      else this.runCpu(a, host, read);
      times?.push({ label: a.kind === 'call' ? a.label : `${a.step.node.op}/reference`, node: a.kind === 'call' ? a.node : a.step.node.name, ms: performance.now() - t0 });
    }
    this.lastKernelTimes = times;
    return new Map(g.outputs.map((o) => {
      const phys = this.plan.outputs.get(o.name) ?? o.name;
      const v = this.plan.values.get(phys);
      const at = this.offsets.get(phys);
      const out = v && at !== undefined && !host.has(phys) ? readTensor(memory, at, v.dtype, v.dims) : read(phys) ?? null;
      return [o.name, out];
    }));
  }

  /** A fallback: the reference kernel on values copied out of memory; its outputs copied back in. */
  private runCpu(a: Extract<Action, { kind: 'cpu' }>, host: Map<string, Value>, read: (name: string) => Value | undefined): void {
    const { node, reads } = a.step;
    const get = (n: string) => read(reads.get(n) ?? n);
    const ins = node.inputs.map((n) => (n === '' ? undefined : get(n)));
    const outer = { get, has: (n: string) => get(n) !== undefined } as unknown as ReadonlyMap<string, Value>;
    const ctx: RunContext = {
      opset: a.opset,
      numOutputs: node.outputs.length,
      runGraph: (sub: Graph, inputs: readonly Value[]) => new ReferenceExecutor(this.plan.model).runGraph(sub, inputs, outer),
    };
    const outs: Value[] = a.spec.runValues
      ? a.spec.runValues(ins, a.attrs, ctx)
      : a.spec.run!(ins.map((v) => (isTensor(v ?? null) ? (v as Tensor) : undefined)), a.attrs, ctx);
    const memory = this.kernels.memory;
    node.outputs.forEach((n, i) => {
      if (!n) return;
      const out = outs[i] ?? null;
      // A producer the passes fused an activation into carries it as attributes the reference
      // kernel does not read: apply the epilogue here.
      const v = i === 0 && isTensor(out) ? applyFusedActivation(node, out) : out;
      const at = this.offsets.get(n);
      const desc = this.plan.values.get(n);
      if (at === undefined || !desc || !isTensor(v)) {
        host.set(n, v);
        return;
      }
      if (v.type !== desc.dtype || v.data.length !== sizeOf(desc.dims)) {
        throw new OpError(node.op, `produced ${v.type}[${v.dims}] where the plan expected ${desc.dtype}[${desc.dims}]`);
      }
      writeTensor(memory, at, v);
    });
  }
}

function addressOf(a: Addr, node: Node, offsets: ReadonlyMap<string, number>, consts: readonly number[], scratch: number): number | undefined {
  const off = a.offset ?? 0;
  switch (a.kind) {
    case 'input': {
      const at = offsets.get(node.inputs[a.index]);
      return at === undefined ? undefined : at + off;
    }
    case 'output': {
      const at = offsets.get(node.outputs[a.index]);
      return at === undefined ? undefined : at + off;
    }
    case 'const': return consts[a.index] + off;
    case 'scratch': return scratch + off;
  }
}
