// The WebGPU compiler backend: per input-shape signature, optimize the graph (shape
// specialisation, folding, fusion), lower it to WGSL kernels, and compile a runnable plan.
// Models with static input shapes compile at session creation; others on first run per shape.
// Small shape operands fed as graph inputs (a Reshape's shape, a Resize's scales, Reduce axes)
// are specialised on too: their values join the plan key and reach the passes as constants.

import { namesReadBy, withInitializers, type PlanRecord } from '../../compiled';
import type { Model } from '../../ir/graph';
import { NotSupportedOpError } from '../../ops/spec';
import { bindInputs, optimize, valueOperandInputs } from '../../passes';
import { isTensor, type Tensor, type Value } from '../../tensor';
import type { Backend, BackendOptions, Executable, RunOptions } from '../index';
import { CompiledPlan, type KernelTime, type PlanReport } from './executable';
import { devicePipelines, gpuContext, type GpuContext } from './gpu';
import { lower, type LowerOptions, type Plan, type Step } from './lower';
import { chooserOf, tuneGemms, tuneKeysOf, type TuneOptions, type TuneResult, type TuningRecords } from './tune';
import { PlanCache } from '../plan-cache';
import { planKey, staticInputShapes, valueFeeds } from '../plan-key';

export class WebGpuExecutable implements Executable {
  private readonly plans = new PlanCache<CompiledPlan>((plan) => this.retire(plan));
  /** runs in flight per plan, so an evicted plan is destroyed only once they are done */
  private readonly running = new Map<CompiledPlan, number>();
  private readonly retired = new Set<CompiledPlan>();

  constructor(
    private readonly ctx: GpuContext,
    /** the model, imported only when a plan must be compiled */
    private readonly source: () => Promise<Model>,
    /** graph inputs whose values decide shapes: plans are specialised on their (small) values */
    readonly valueInputs: readonly string[],
    private readonly options: BackendOptions,
  ) {
    this.records = options.tuning ?? {};
  }

  /** Compiles the plan for these input shapes and shape-operand values (cached). */
  compile(shapes: ReadonlyMap<string, readonly number[]>, values: ReadonlyMap<string, Tensor> = new Map()): Promise<CompiledPlan> {
    return this.plans.get(planKey(shapes, values), async () => {
      const bound = new Map([...shapes].filter(([n]) => !values.has(n)));
      const { model, types } = optimize(bindInputs(await this.source(), values), bound, { fuseResidual: true, fuseChannelScale: true });
      return this.compileLowered(lower(model, types, this.lowering()));
    }, shapes);
  }

  /** GEMM choices recorded by tuning runs on this device (given in the options, or made by `tune`). */
  get tuning(): TuningRecords {
    return this.records;
  }

  private records: TuningRecords;

  private lowering(): LowerOptions {
    return {
      genericShapes: !this.options.specialiseShapes,
      subgroups: this.ctx.subgroups && this.options.subgroups !== false,
      gemmChoice: chooserOf(this.records),
    };
  }

  private async compileLowered(lowered: Plan): Promise<CompiledPlan> {
    const plan = await CompiledPlan.compile(this.ctx, lowered, devicePipelines(this.ctx));
    if (this.options.noFallback && plan.report.fallbacks.length) {
      plan.destroy();
      const f = plan.report.fallbacks[0];
      throw new NotSupportedOpError(f.op, `would fall back to the CPU (${plan.report.fallbacks.length} node(s)): ${f.reason}`);
    }
    return plan;
  }

  /** How many tunable GEMM problems of the compiled plans have no tuning record (the plans as they are now). */
  untuned(): Promise<number> {
    // the plans are taken now: a release right after the call empties the cache
    const plans = [...this.plans.values()];
    return (async () => {
      const keys = new Set<string>();
      for (const p of plans) {
        const plan = await p.catch(() => undefined);
        if (plan) for (const key of tuneKeysOf(plan.plan)) if (!this.records[key]) keys.add(key);
      }
      return keys.size;
    })();
  }

  /**
   * Tunes the GEMMs of every compiled plan on this device (./tune.ts), within one time budget,
   * and recompiles each plan whose choices changed; runs after this use the tuned plans. Problems
   * with a record already are not timed again unless `retune`.
   */
  async tune(options: TuneOptions = {}): Promise<TuneResult[]> {
    const started = performance.now();
    const budget = options.budgetMs ?? 10_000;
    const results: TuneResult[] = [];
    for (const [key, p] of [...this.plans.entries()]) {
      const left = budget - (performance.now() - started);
      if (left <= 0) break;
      const compiled = await p;
      const { plan } = compiled;
      // the plan in use lends the tuning run its weights (no upload); held so a release waits for it
      this.hold(compiled);
      let result: TuneResult;
      try {
        result = await tuneGemms(this.ctx, plan.model, plan.types, this.lowering(), { ...options, budgetMs: left }, new Set(Object.keys(this.records)), compiled);
      } finally {
        this.letGo(compiled);
      }
      results.push(result);
      const changed = Object.entries(result.records).some(([k, r]) => JSON.stringify(r.config) !== JSON.stringify(this.records[k]?.config ?? {}));
      this.records = { ...this.records, ...result.records };
      if (!changed) continue;
      // the plan in use stays until its recompile is ready (and if that fails)
      const tuned = await this.compileLowered(lower(plan.model, plan.types, this.lowering()));
      if (!this.plans.replace(key, tuned)) tuned.destroy();
    }
    return results;
  }

  /** Takes a plan exportPlans gave (no import, no optimization): creates its pipelines and buffers. */
  async adopt(record: PlanRecord): Promise<void> {
    await this.plans.get(record.key, () => CompiledPlan.compile(this.ctx, planOf(record.plan as StoredPlan), devicePipelines(this.ctx)), record.shapes);
  }

  get planCount(): number {
    return this.plans.size;
  }

  exportPlans(): Promise<PlanRecord[]> {
    return this.plans.records((plan) => storedPlan(plan.plan));
  }

  lastGpuMs: number | undefined;
  lastKernelTimes: KernelTime[] | undefined;

  /** Destroys every compiled plan's buffers; a later run compiles afresh. */
  release(): void {
    const plans = [...this.plans.values()];
    this.plans.clear();
    for (const p of plans) p.then((plan) => this.retire(plan), () => undefined);
  }

  async run(feeds: ReadonlyMap<string, Value>, options: RunOptions = {}): Promise<Map<string, Value>> {
    const shapes = new Map<string, readonly number[]>();
    for (const [name, v] of feeds) if (isTensor(v)) shapes.set(name, v.dims);
    const plan = await this.compile(shapes, valueFeeds(feeds, this.valueInputs));
    this.hold(plan);
    try {
      const out = await plan.run(feeds, options);
      this.lastGpuMs = plan.lastGpuMs;
      this.lastKernelTimes = plan.lastKernelTimes;
      return out;
    } finally {
      this.letGo(plan);
    }
  }

  /** Keeps the plan's buffers while a run (or a tuning run borrowing its weights) uses them. */
  private hold(plan: CompiledPlan): void {
    this.running.set(plan, (this.running.get(plan) ?? 0) + 1);
  }

  /** Ends a hold: a plan retired meanwhile is destroyed when its last hold ends. */
  private letGo(plan: CompiledPlan): void {
    const n = this.running.get(plan)! - 1;
    if (n > 0) this.running.set(plan, n);
    else {
      this.running.delete(plan);
      if (this.retired.delete(plan)) plan.destroy();
    }
  }

  /** What the plan for `shapes` (and shape-operand `values`) dispatches and where it falls back to the CPU. */
  async report(shapes: ReadonlyMap<string, readonly number[]>, values?: ReadonlyMap<string, Tensor>): Promise<PlanReport> {
    return (await this.compile(shapes, values)).report;
  }

  /** A plan dropped from the cache: its buffers go now, or when its last hold ends. */
  private retire(plan: CompiledPlan): void {
    if (this.running.has(plan)) this.retired.add(plan);
    else plan.destroy();
  }
}

/**
 * A plan as stored: each distinct WGSL source once in `sources` (dispatches of one kernel share
 * it; a structured clone would copy the string per dispatch), a dispatch's `wgsl` holding its
 * index there; the weights the steps read, each compacted (no view drags a whole model buffer
 * along); everything else as the lowering made it (plain objects, maps and arrays).
 */
interface StoredPlan {
  readonly plan: Plan;
  readonly sources: readonly string[];
}

function storedPlan(plan: Plan): StoredPlan {
  const keep = namesReadBy(plan.steps.map((s) => s.node));
  for (const o of plan.model.graph.outputs) keep.add(o.name);
  const index = new Map<string, number>();
  const steps = plan.steps.map((s): Step => s.kind !== 'gpu' ? s : {
    ...s,
    dispatches: s.dispatches.map((d) => {
      if (!index.has(d.wgsl)) index.set(d.wgsl, index.size);
      return { ...d, wgsl: String(index.get(d.wgsl)) };
    }),
  });
  return { plan: { ...plan, steps, model: withInitializers(plan.model, keep) }, sources: [...index.keys()] };
}

function planOf({ plan, sources }: StoredPlan): Plan {
  const steps = plan.steps.map((s): Step => s.kind !== 'gpu' ? s : { ...s, dispatches: s.dispatches.map((d) => ({ ...d, wgsl: sources[Number(d.wgsl)] })) });
  return { ...plan, steps };
}

export function webgpuBackend(options: BackendOptions): Backend {
  return {
    name: 'webgpu',
    async prepare(model) {
      const exec = new WebGpuExecutable(await gpuContext(), async () => model, valueOperandInputs(model), options);
      // A plan specialised on shape-operand values waits for the first run, which brings them.
      const shapes = exec.valueInputs.length ? undefined : staticInputShapes(model);
      if (shapes) await exec.compile(shapes);
      return exec;
    },
    async restore(plans, valueInputs, source) {
      const exec = new WebGpuExecutable(await gpuContext(), source, valueInputs, options);
      await Promise.all(plans.map((p) => exec.adopt(p)));
      return exec;
    },
    async fingerprint() {
      const ctx = await gpuContext();
      const subgroups = ctx.subgroups && options.subgroups !== false;
      return `webgpu|${ctx.adapterInfo}|subgroups=${subgroups}|${options.specialiseShapes ? 'specialised' : 'generic'}`;
    },
  };
}
