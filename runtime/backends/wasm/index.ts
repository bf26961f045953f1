// The WebAssembly SIMD backend: per input-shape signature, optimize the graph (the passes the
// WebGPU backend uses: shape specialisation, folding, fusion), lower it to calls into the kernel
// module with weights packed once, and compile a plan over one linear memory. Single-threaded by
// design: an extension service worker cannot start Workers. Models with static input shapes
// compile at session creation; others on first run per shape. Like the WebGPU backend, plans are
// specialised on the values of small shape operands fed as graph inputs (its plan key and cache).

import { namesReadBy, withInitializers, type PlanRecord } from '../../compiled';
import type { Model } from '../../ir/graph';
import { NotSupportedOpError } from '../../ops/spec';
import { bindInputs, optimize, valueOperandInputs } from '../../passes';
import { isTensor, type Tensor, type Value } from '../../tensor';
import { PlanCache } from '../plan-cache';
import { planKey, staticInputShapes, valueFeeds } from '../plan-key';
import type { Backend, BackendOptions, Executable, KernelTime, PlanReport, RunOptions } from '../index';
import { WasmPlan } from './executable';
import { lower, type Plan, type Step } from './lower';
import { takeKernels } from './instances';
import { kernelModule, type WasmSource } from './module';

export { KERNELS_FILE, kernelsFile, provideWasmKernels, RELAXED_KERNELS_FILE, relaxedSimdSupported, type WasmSource } from './module';

export interface WasmOptions extends BackendOptions {
  /** where the kernel module is, when not given process-wide with provideWasmKernels */
  readonly wasmKernels?: WasmSource;
}

export class WasmExecutable implements Executable {
  /** a plan dropped for room gives its kernel instance (and memory) back for the next one */
  private readonly plans = new PlanCache<WasmPlan>((plan) => plan.release());

  constructor(
    /** the model, imported only when a plan must be compiled */
    private readonly source: () => Promise<Model>,
    /** graph inputs whose values decide shapes: plans are specialised on their (small) values */
    readonly valueInputs: readonly string[],
    private readonly options: WasmOptions,
  ) {}

  /** Compiles the plan for these input shapes and shape-operand values (cached). */
  compile(shapes: ReadonlyMap<string, readonly number[]>, values: ReadonlyMap<string, Tensor> = new Map()): Promise<WasmPlan> {
    return this.plans.get(planKey(shapes, values), async () => {
      const kernels = await takeKernels(this.options.wasmKernels);
      const bound = new Map([...shapes].filter(([n]) => !values.has(n)));
      const { model, types } = optimize(bindInputs(await this.source(), values), bound);
      const plan = WasmPlan.compile(lower(model, types), kernels);
      if (this.options.noFallback && plan.report.fallbacks.length) {
        plan.release();
        const f = plan.report.fallbacks[0];
        throw new NotSupportedOpError(f.op, `would fall back to the reference kernel (${plan.report.fallbacks.length} node(s)): ${f.reason}`);
      }
      return plan;
    }, shapes);
  }

  /** Takes a plan exportPlans gave (no import, no optimization, no packing): places it in a kernel instance's memory. */
  async adopt(record: PlanRecord): Promise<void> {
    await this.plans.get(record.key, async () => WasmPlan.compile(record.plan as Plan, await takeKernels(this.options.wasmKernels)), record.shapes);
  }

  get planCount(): number {
    return this.plans.size;
  }

  exportPlans(): Promise<PlanRecord[]> {
    return this.plans.records((plan) => plainPlan(plan.plan));
  }

  lastKernelTimes: KernelTime[] | undefined;

  async run(feeds: ReadonlyMap<string, Value>, options: RunOptions = {}): Promise<Map<string, Value>> {
    const shapes = new Map<string, readonly number[]>();
    for (const [name, v] of feeds) if (isTensor(v)) shapes.set(name, v.dims);
    const plan = await this.compile(shapes, valueFeeds(feeds, this.valueInputs));
    const out = plan.run(feeds, options.profile === 'kernels');
    this.lastKernelTimes = plan.lastKernelTimes;
    return out;
  }

  /** Drops the compiled plans (their memories go back for later plans); a later run compiles afresh. */
  release(): void {
    const plans = [...this.plans.values()];
    this.plans.clear();
    for (const p of plans) p.then((plan) => plan.release(), () => undefined);
  }

  /** What the plan for `shapes` (and shape-operand `values`) calls and where it falls back to the reference kernels. */
  async report(shapes: ReadonlyMap<string, readonly number[]>, values?: ReadonlyMap<string, Tensor>): Promise<PlanReport> {
    return (await this.compile(shapes, values)).report;
  }
}

/**
 * The plan as data to store: packed weights written out (a packer is code, not data), and of the
 * graph's own weights only those something still reads as they are (most are packed), compacted.
 */
function plainPlan(plan: Plan): Plan {
  const aliasOf = new Map<string, string>();
  for (const s of plan.steps) if (s.kind === 'alias') aliasOf.set(s.node.outputs[0], s.node.inputs[0]);
  const root = (n: string): string => (aliasOf.has(n) ? root(aliasOf.get(n)!) : n);
  const keep = new Set<string>();
  const cpu: Step[] = [];
  for (const s of plan.steps) {
    if (s.kind === 'wasm') {
      for (const c of s.calls) for (const a of c.args) if (typeof a !== 'number' && a.kind === 'input') keep.add(root(s.node.inputs[a.index]));
    } else if (s.kind === 'cpu') {
      cpu.push(s);
      for (const r of s.reads.values()) keep.add(root(r));
    }
  }
  namesReadBy(cpu.map((s) => s.node), keep);
  for (const phys of plan.outputs.values()) keep.add(root(phys));
  const steps = plan.steps.map((s): Step => s.kind !== 'wasm' ? s : {
    ...s,
    consts: s.consts.map((c) => {
      if (ArrayBuffer.isView(c)) return c;
      const packed = new Float32Array(c.byteLength / 4);
      c.write(packed);
      return packed;
    }),
  });
  return { ...plan, steps, model: withInitializers(plan.model, keep) };
}

export function wasmBackend(options: WasmOptions): Backend {
  return {
    name: 'wasm',
    async restore(plans, valueInputs, source) {
      const exec = new WasmExecutable(source, valueInputs, options);
      for (const p of plans) await exec.adopt(p);
      return exec;
    },
    async fingerprint() {
      // the kernels need SIMD128: a module that instantiates is the same code on every machine
      await kernelModule(options.wasmKernels);
      return 'wasm|simd128';
    },
    async prepare(model) {
      const exec = new WasmExecutable(async () => model, valueOperandInputs(model), options);
      // A plan specialised on shape-operand values waits for the first run, which brings them.
      const shapes = exec.valueInputs.length ? undefined : staticInputShapes(model);
      if (shapes) await exec.compile(shapes);
      return exec;
    },
  };
}
