// A plan made runnable on a device: pipelines (one per distinct WGSL source), buffers (weights
// uploaded once, intermediates pooled by the memory plan, the kernels' uniform shape numbers),
// bind groups, all made at compile time.
// A run writes the inputs, encodes every dispatch into one command encoder, submits once and reads
// the outputs back; a CPU fallback step splits the run where it stands, with explicit copies.

import type { Node } from '../../ir/graph';
import { lookupOp } from '../../ops/registry';
import { Attrs, OpError, type RunContext } from '../../ops/spec';
import { applyFusedActivation } from '../../passes/activation';
import { opInputs } from '../../passes/fused-inputs';
import { addFusedResidual, residualInput } from '../../passes/fuse-residual';
import { planMemory } from '../../passes/memory-plan';
import { isTensor, sizeOf, type Tensor, type Value } from '../../tensor';
import { createPipeline, MAX_DEVICE_PIPELINES, type GpuContext, type PipelineCache } from './gpu';
import type { Binding, Dispatch } from './kernel';
import type { Plan, Step } from './lower';
import { bufferBytes, concrete, ELEMENT_BYTES, fromGpuWords, writeTensor } from './storage';
import { usesSubgroups } from './wgsl';


/** `profile: true` times the run's passes; 'kernels' times every dispatch on its own. */
export interface ProfileOption {
  readonly profile?: boolean | 'kernels';
}

/** One dispatch's GPU time: its kernel label (op:kernel), the node it ran for, ms. */
export interface KernelTime {
  readonly label: string;
  readonly node: string;
  readonly ms: number;
  /** the dispatch's tunable-GEMM key, if it has one */
  readonly tuneKey?: string;
}

type DispatchAction = Extract<Action, { kind: 'dispatch' }>;

type Action =
  | { readonly kind: 'dispatch'; readonly pipeline: GPUComputePipeline; readonly bindGroup: GPUBindGroup; readonly workgroups: readonly [number, number, number]; readonly label: string; readonly node: string; readonly tuneKey?: string }
  | { readonly kind: 'cpu'; readonly node: Node; readonly attrs: unknown; readonly opset: number };

export interface PlanReport {
  readonly dispatches: number;
  readonly pipelines: number;
  readonly aliases: number;
  /** nodes that ran on the reference kernel, with why */
  readonly fallbacks: readonly { readonly node: string; readonly op: string; readonly reason: string }[];
  /** bytes of GPU buffers: weights, pooled intermediates, inputs and outputs */
  readonly bytes: { readonly weights: number; readonly pooled: number; readonly io: number };
  /** where compile time went (ms): creating pipelines, uploading weights, the whole compile */
  readonly compileMs?: { readonly pipelines: number; readonly weights: number; readonly total: number };
  /** webgpu: whether some kernel of the plan uses subgroup operations (workgroup sums by subgroupAdd) */
  readonly subgroups?: boolean;
}


export class CompiledPlan {
  private constructor(
    private readonly ctx: GpuContext,
    /** what the lowering made (plain data: the compiled-model cache stores it) */
    readonly plan: Plan,
    /** value name → its GPU buffer (aliases resolved) */
    private readonly buffers: ReadonlyMap<string, GPUBuffer>,
    private readonly actions: readonly Action[],
    private readonly owned: readonly GPUBuffer[],
    readonly report: PlanReport,
    private readonly profiler: Profiler | undefined,
  ) {}

  /** GPU time of the last run made with `profile`, from timestamp queries (ms). */
  lastGpuMs: number | undefined;

  /**
   * Makes the plan runnable: buffers, pipelines, uniforms. `weightsFrom`: a plan of the same
   * model (the same initializer tensors) that lends its weight buffers instead of uploading them
   * again, and must outlive this one (a tuning run's plans borrow from the plan in use).
   */
  static async compile(ctx: GpuContext, plan: Plan, pipelines: PipelineCache, weightsFrom?: CompiledPlan): Promise<CompiledPlan> {
    const { device } = ctx;
    const started = performance.now();
    const g = plan.model.graph;
    const owned: GPUBuffer[] = [];
    const make = (elements: number, label: string) => {
      // GPUBufferUsage is read here, not at load: the module must load where WebGPU is absent.
      const b = device.createBuffer({ size: bufferBytes(elements), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label });
      owned.push(b);
      return b;
    };
    const elementsOf = (name: string) => {
      const d = concrete(plan.types.get(name));
      if (!d) throw new Error(`value '${name}' has no known shape`);
      return sizeOf(d.dims);
    };
    // Which buffer each alias reads: follow alias steps back to a real value. A Concat written in
    // place makes each input an alias of its output, at a byte offset (views: where a value starts
    // in its root's buffer, and its size, for values that are not a whole buffer).
    const aliasOf = new Map<string, string>();
    const slabAt = new Map<string, number>();
    for (const s of plan.steps) {
      if (s.kind === 'alias') aliasOf.set(s.node.outputs[0], s.node.inputs[s.input]);
      if (s.kind === 'slabs') s.node.inputs.forEach((n, i) => (aliasOf.set(n, s.node.outputs[0]), slabAt.set(n, s.offsets[i])));
    }
    const root = (n: string): string => (aliasOf.has(n) ? root(aliasOf.get(n)!) : n);
    const offsetOf = (n: string): number => (slabAt.get(n) ?? 0) + (aliasOf.has(n) ? offsetOf(aliasOf.get(n)!) : 0);
    const views = new Map<string, { offset: number; size: number }>();
    for (const n of slabAt.keys()) views.set(n, { offset: offsetOf(n), size: bufferBytes(elementsOf(n)) });

    const buffers = new Map<string, GPUBuffer>();
    let weights = 0, io = 0, pooled = 0;
    // Weights: uploaded once, at compile time.
    const weightsStarted = performance.now();
    const gpuUsed = new Set<string>();
    for (const s of plan.steps) if (s.kind !== 'cpu') s.node.inputs.forEach((n) => n && gpuUsed.add(root(n)));
    for (const [name, t] of g.initializers) {
      if (!gpuUsed.has(name) || !concrete(plan.types.get(name))) continue;
      const lent = weightsFrom?.weightBuffer(name, t);
      if (lent) {
        buffers.set(name, lent);
        continue;
      }
      const b = make(t.data.length, name);
      writeTensor(device, b, t);
      buffers.set(name, b);
      weights += b.size;
    }
    const weightMs = performance.now() - weightsStarted;
    // Graph inputs and outputs: buffers of their own, never pooled.
    const pinned = new Set<string>([...g.inputs.map((i) => i.name), ...g.outputs.map((o) => root(o.name)), ...g.initializers.keys()]);
    for (const i of g.inputs) if (concrete(plan.types.get(i.name))) {
      buffers.set(i.name, make(elementsOf(i.name), i.name));
      io += buffers.get(i.name)!.size;
    }
    for (const o of g.outputs) {
      const r = root(o.name);
      if (!buffers.has(r) && !g.initializers.has(r) && concrete(plan.types.get(r))) {
        buffers.set(r, make(elementsOf(r), r));
        io += buffers.get(r)!.size;
      }
    }
    // Intermediates: a pool sized by the memory plan over the steps' lifetimes.
    const produced = plan.steps.flatMap((s) => (s.kind === 'alias' ? [] : s.node.outputs.filter((n) => n && !pinned.has(n))));
    const sizes = new Map(produced.filter((n) => concrete(plan.types.get(n))).map((n) => [n, bufferBytes(elementsOf(n))]));
    const memory = planMemory(plan.steps.map((s) => s.node), sizes, pinned, aliasOf);
    const pool = memory.buffers.map((bytes, i) => make(bytes / ELEMENT_BYTES, `pool${i}`));
    pooled = pool.reduce((a, b) => a + b.size, 0);
    for (const [name, index] of memory.assignment) buffers.set(name, pool[index]);
    for (const [a] of aliasOf) {
      const b = buffers.get(root(a));
      if (b) buffers.set(a, b);
    }

    // Every distinct kernel's pipeline at once (browsers compile them in parallel), or the
    // device's own from an earlier plan (moved to the back of its least-recently-used order).
    const pipelinesStarted = performance.now();
    const mine = new Map<string, Promise<GPUComputePipeline>>();
    for (const step of plan.steps) {
      if (step.kind !== 'gpu') continue;
      for (const d of step.dispatches) {
        if (mine.has(d.wgsl)) continue;
        let p = pipelines.get(d.wgsl);
        if (p) {
          pipelines.delete(d.wgsl);
        } else {
          p = createPipeline(ctx, d.wgsl, `${step.node.op}:${d.label}`);
          const made = p;
          made.catch(() => pipelines.get(d.wgsl) === made && pipelines.delete(d.wgsl));
        }
        pipelines.set(d.wgsl, p);
        mine.set(d.wgsl, p);
      }
    }
    // the oldest go beyond the bound (this plan holds its own in `mine`)
    for (const [wgsl] of pipelines) {
      if (pipelines.size <= MAX_DEVICE_PIPELINES) break;
      pipelines.delete(wgsl);
    }
    try {
      await Promise.all(mine.values());
    } catch (e) {
      for (const b of owned) b.destroy();
      throw e;
    }
    const pipelineMs = performance.now() - pipelinesStarted;

    // The dispatches' uniform shape numbers: one buffer, a slot per dispatch at the device's
    // offset alignment, written once here.
    const align = device.limits.minUniformBufferOffsetAlignment;
    const slots = new Map<Dispatch, number>();
    let uniformBytes = 0;
    for (const step of plan.steps) {
      if (step.kind !== 'gpu') continue;
      for (const d of step.dispatches) {
        if (!d.uniforms) continue;
        slots.set(d, uniformBytes);
        uniformBytes += Math.ceil(d.uniforms.byteLength / align) * align;
      }
    }
    let uniforms: GPUBuffer | undefined;
    if (uniformBytes) {
      uniforms = device.createBuffer({ size: uniformBytes, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, label: 'dims' });
      owned.push(uniforms);
      const data = new Uint32Array(uniformBytes / 4);
      for (const [d, offset] of slots) data.set(d.uniforms!, offset / 4);
      device.queue.writeBuffer(uniforms, 0, data);
    }

    const actions: Action[] = [];
    let dispatches = 0;
    let aliases = 0;
    const fallbacks: { node: string; op: string; reason: string }[] = [];
    for (const step of plan.steps) {
      if (step.kind === 'alias' || step.kind === 'slabs') {
        aliases++;
        continue;
      }
      if (step.kind === 'cpu') {
        const spec = lookupOp(step.node.domain, step.node.op);
        if (!spec) throw new OpError(step.node.op, 'is not supported');
        const opset = plan.model.opsets.get(step.node.domain) ?? plan.model.opsets.get('') ?? 1;
        actions.push({ kind: 'cpu', node: step.node, attrs: spec.attrs(new Attrs(step.node.op, step.node.attrs), opset), opset });
        fallbacks.push({ node: step.node.name, op: step.node.op, reason: step.reason });
        // A CPU step's outputs that GPU steps read need buffers of their own.
        for (const n of step.node.outputs) if (n && !buffers.has(n) && concrete(plan.types.get(n))) buffers.set(n, make(elementsOf(n), n));
        continue;
      }
      const scratch = new Map<number, GPUBuffer>();
      for (const d of step.dispatches) {
        const pipeline = await mine.get(d.wgsl)!;
        const bind = (b: Binding): GPUBufferBinding => {
          if (b.kind === 'scratch') {
            let s = scratch.get(b.id);
            if (!s) scratch.set(b.id, (s = make(b.elements, `${step.node.name}/scratch${b.id}`)));
            return { buffer: s };
          }
          const name = b.kind === 'input' ? step.node.inputs[b.index] : step.node.outputs[b.index];
          const buffer = buffers.get(name);
          if (!buffer) throw new Error(`no GPU buffer for '${name}' (${step.node.op})`);
          return { buffer, ...views.get(name) };
        };
        const entries: GPUBindGroupEntry[] = d.bindings.map((b, i) => ({ binding: i, resource: bind(b) }));
        if (d.uniforms) {
          entries.push({ binding: entries.length, resource: { buffer: uniforms!, offset: slots.get(d)!, size: Math.ceil(d.uniforms.byteLength / 16) * 16 } });
        }
        const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
        actions.push({ kind: 'dispatch', pipeline, bindGroup, workgroups: d.workgroups, label: `${step.node.op}:${d.label}`, node: step.node.name, tuneKey: d.tuneKey });
        dispatches++;
      }
    }
    const report: PlanReport = {
      dispatches,
      pipelines: new Set(plan.steps.flatMap((s) => (s.kind === 'gpu' ? s.dispatches.map((d) => d.wgsl) : []))).size,
      aliases,
      fallbacks,
      bytes: { weights, pooled, io },
      compileMs: { pipelines: pipelineMs, weights: weightMs, total: performance.now() - started },
      subgroups: plan.steps.some((s) => s.kind === 'gpu' && s.dispatches.some((d) => usesSubgroups(d.wgsl))),
    };
    // One timestamp pair per compute pass: a pass ends at each CPU fallback, and once at the end.
    const passes = 1 + actions.filter((a) => a.kind === 'cpu').length;
    const profiler = ctx.timestamps ? new Profiler(device, passes) : undefined;
    return new CompiledPlan(ctx, plan, buffers, actions, owned, report, profiler);
  }

  /** The run in flight: runs share buffers, so each waits for the one before. */
  private queue: Promise<unknown> = Promise.resolve();

  /** Per-dispatch GPU times of the last run made with `profile: 'kernels'` (ms, in plan order). */
  lastKernelTimes: KernelTime[] | undefined;

  private kernelProfiler: Profiler | undefined;

  run(feeds: ReadonlyMap<string, Value>, options: ProfileOption = {}): Promise<Map<string, Value>> {
    const next = this.queue.then(() => this.runNow(feeds, options));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async runNow(feeds: ReadonlyMap<string, Value>, options: ProfileOption): Promise<Map<string, Value>> {
    const { device } = this.ctx;
    const dispatches = this.actions.filter((a) => a.kind === 'dispatch');
    // Per-kernel timing gives each dispatch a pass of its own (timestamps are taken per pass),
    // within the 4096 queries a query set may hold.
    const perKernel = options.profile === 'kernels' && this.profiler !== undefined && 2 * (this.actions.length + 1) <= 4096;
    if (perKernel) this.kernelProfiler ??= new Profiler(device, this.actions.length + 1);
    const profiler = perKernel ? this.kernelProfiler : options.profile ? this.profiler : undefined;
    let passIndex = 0;
    const beginPass = (e: GPUCommandEncoder) => e.beginComputePass(profiler ? { timestampWrites: profiler.writes(passIndex++) } : {});
    const g = this.plan.model.graph;
    // Values the CPU holds: feeds, constants, fallback outputs.
    const host = new Map<string, Value>();
    for (const i of g.inputs) {
      const v = feeds.get(i.name) ?? null;
      host.set(i.name, v);
      const buf = this.buffers.get(i.name);
      if (buf && isTensor(v)) writeTensor(device, buf, v);
    }
    let encoder = device.createCommandEncoder();
    let pass: GPUComputePassEncoder | undefined;
    const flush = () => {
      pass?.end();
      pass = undefined;
      device.queue.submit([encoder.finish()]);
      encoder = device.createCommandEncoder();
    };
    for (const a of this.actions) {
      if (a.kind === 'dispatch') {
        if (perKernel) {
          pass?.end();
          pass = undefined;
        }
        pass ??= beginPass(encoder);
        pass.setPipeline(a.pipeline);
        pass.setBindGroup(0, a.bindGroup);
        pass.dispatchWorkgroups(a.workgroups[0], a.workgroups[1], a.workgroups[2]);
        continue;
      }
      // CPU fallback: read what it needs back, run the reference kernel, upload what it made.
      pass?.end();
      pass = undefined;
      const names = a.node.inputs.filter((n) => n && !host.has(n) && !g.initializers.has(n));
      const read = await this.readBack(encoder, names);
      encoder = device.createCommandEncoder();
      read.forEach((v, n) => host.set(n, v));
      const spec = lookupOp(a.node.domain, a.node.op)!;
      const ins = a.node.inputs.map((n) => (n === '' ? undefined : host.get(n) ?? g.initializers.get(n)));
      const ctx: RunContext = { opset: a.opset, numOutputs: a.node.outputs.length, runGraph: () => { throw new OpError(a.node.op, 'subgraphs cannot run inside a WebGPU plan'); } };
      // A fused channel scale is applied to X here, a fused residual added below.
      const ri = residualInput(a.node);
      const opIns = opInputs(a.node, ins);
      const outs: Value[] = spec.runValues
        ? spec.runValues(opIns, a.attrs, ctx)
        : spec.run!(opIns.map((v) => (isTensor(v ?? null) ? (v as Tensor) : undefined)), a.attrs, ctx);
      a.node.outputs.forEach((n, i) => {
        if (!n) return;
        const out = outs[i] ?? null;
        // A producer the passes fused a residual or an activation into carries them as inputs and
        // attributes the reference kernel does not read: apply the epilogue here.
        const residual = ri === undefined ? undefined : ins[ri];
        const v = i === 0 && isTensor(out) ? applyFusedActivation(a.node, addFusedResidual(a.node, out, isTensor(residual ?? null) ? (residual as Tensor) : undefined)) : out;
        host.set(n, v);
        const buf = this.buffers.get(n);
        if (buf && isTensor(v)) writeTensor(device, buf, v);
      });
    }
    pass?.end();
    pass = undefined;
    const outNames = g.outputs.map((o) => o.name);
    const wanted = outNames.filter((n) => !host.has(n) && !g.initializers.has(n));
    profiler?.resolve(encoder, passIndex);
    const read = await this.readBack(encoder, wanted);
    const times = profiler ? await profiler.read(passIndex) : undefined;
    this.lastGpuMs = times?.reduce((a, b) => a + b, 0);
    this.lastKernelTimes = perKernel && times
      ? dispatches.map((a, i) => ({ label: (a as DispatchAction).label, node: (a as DispatchAction).node, ms: times[i], tuneKey: (a as DispatchAction).tuneKey }))
      : undefined;
    return new Map(outNames.map((n) => [n, read.get(n) ?? host.get(n) ?? g.initializers.get(n) ?? null]));
  }

  /** Mappable buffers the reads copy into, one per value read, made on first use and kept. */
  private readonly staging = new Map<string, GPUBuffer>();

  /** Copies `names` into mappable buffers at the end of `encoder`, submits it, and decodes them. */
  private async readBack(encoder: GPUCommandEncoder, names: readonly string[]): Promise<Map<string, Tensor>> {
    const { device } = this.ctx;
    const staged = names.map((name) => {
      const d = concrete(this.plan.types.get(name));
      const src = this.buffers.get(name);
      if (!d || !src) throw new Error(`value '${name}' is not on the GPU`);
      const bytes = bufferBytes(sizeOf(d.dims));
      let staging = this.staging.get(name);
      if (!staging) {
        staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: `read ${name}` });
        this.staging.set(name, staging);
      }
      encoder.copyBufferToBuffer(src, 0, staging, 0, bytes);
      return { name, d, staging };
    });
    device.queue.submit([encoder.finish()]);
    const out = new Map<string, Tensor>();
    await Promise.all(staged.map((s) => s.staging.mapAsync(GPUMapMode.READ)));
    for (const s of staged) {
      // fromGpuWords copies out of the mapped range, which unmap then invalidates.
      out.set(s.name, fromGpuWords(s.d.dtype, s.d.dims, s.staging.getMappedRange(), sizeOf(s.d.dims)));
      s.staging.unmap();
    }
    return out;
  }

  /** The buffer holding initializer `name` when it holds this very tensor. */
  private weightBuffer(name: string, t: Tensor): GPUBuffer | undefined {
    return this.plan.model.graph.initializers.get(name) === t ? this.buffers.get(name) : undefined;
  }

  /** Frees every GPU buffer of the plan; the plan must not run again. */
  destroy(): void {
    for (const b of this.owned) b.destroy();
    for (const b of this.staging.values()) b.destroy();
    this.staging.clear();
    this.profiler?.destroy();
    this.kernelProfiler?.destroy();
  }
}

/** Timestamp queries around each compute pass, resolved and read back after a profiled run. */
class Profiler {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  private readonly readBuffer: GPUBuffer;

  constructor(device: GPUDevice, passes: number) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * passes });
    this.resolveBuffer = device.createBuffer({ size: 16 * passes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC });
    this.readBuffer = device.createBuffer({ size: 16 * passes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  }

  writes(pass: number): GPUComputePassTimestampWrites {
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * pass, endOfPassWriteIndex: 2 * pass + 1 };
  }

  resolve(encoder: GPUCommandEncoder, passes: number): void {
    if (passes === 0) return;
    encoder.resolveQuerySet(this.querySet, 0, 2 * passes, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, this.readBuffer, 0, 16 * passes);
  }

  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
    this.readBuffer.destroy();
  }

  /** Each pass's duration in ms (call after the resolving encoder was submitted). */
  async read(passes: number): Promise<number[]> {
    if (passes === 0) return [];
    await this.readBuffer.mapAsync(GPUMapMode.READ);
    const t = new BigUint64Array(this.readBuffer.getMappedRange().slice(0, 16 * passes));
    this.readBuffer.unmap();
    return Array.from({ length: passes }, (_, i) => Number(t[2 * i + 1] - t[2 * i]) / 1e6);
  }
}

export type { Step };
