// The WebAssembly SIMD backend: per input-shape signature, optimize the graph (the passes the
// WebGPU backend uses: shape specialisation, folding, fusion), lower it to calls into the kernel
// module with weights packed once, and compile a plan over one linear memory. Single-threaded by
// design: an extension service worker cannot start Workers. Models with static input shapes
// compile at session creation; others on first run per shape. Like the WebGPU backend, plans are
// specialised on the values of small shape operands fed as graph inputs (its plan key and cache).

import type { Model } from '../../ir/graph';
import { NotSupportedOpError } from '../../ops/spec';
import { bindInputs, optimize, valueOperandInputs } from '../../passes';
import { isTensor, type Tensor, type Value } from '../../tensor';
import { PlanCache } from '../webgpu/plan-cache';
import { planKey, staticInputShapes, valueFeeds } from '../webgpu/plan-key';
import type { Backend, BackendOptions, Executable, KernelTime, PlanReport, RunOptions } from '../index';
import { WasmPlan } from './executable';
import { lower } from './lower';
import { instantiateKernels, type WasmSource } from './module';

export { KERNELS_FILE, provideWasmKernels, type WasmSource } from './module';

export interface WasmOptions extends BackendOptions {
  /** where the kernel module is, when not given process-wide with provideWasmKernels */
  readonly wasmKernels?: WasmSource;
}

export class WasmExecutable implements Executable {
  /** a plan's memory goes with it when dropped: nothing to free by hand */
  private readonly plans = new PlanCache<WasmPlan>(() => undefined);
  /** graph inputs whose values decide shapes: plans are specialised on their (small) values */
  readonly valueInputs: readonly string[];

  constructor(
    private readonly model: Model,
    private readonly options: WasmOptions,
  ) {
    this.valueInputs = valueOperandInputs(model);
  }

  /** Compiles the plan for these input shapes and shape-operand values (cached). */
  compile(shapes: ReadonlyMap<string, readonly number[]>, values: ReadonlyMap<string, Tensor> = new Map()): Promise<WasmPlan> {
    return this.plans.get(planKey(shapes, values), async () => {
      const kernels = await instantiateKernels(this.options.wasmKernels);
      const bound = new Map([...shapes].filter(([n]) => !values.has(n)));
      const { model, types } = optimize(bindInputs(this.model, values), bound);
      const plan = WasmPlan.compile(lower(model, types), kernels);
      if (this.options.noFallback && plan.report.fallbacks.length) {
        const f = plan.report.fallbacks[0];
        throw new NotSupportedOpError(f.op, `would fall back to the reference kernel (${plan.report.fallbacks.length} node(s)): ${f.reason}`);
      }
      return plan;
    });
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

  /** Drops the compiled plans (their memories go with them); a later run compiles afresh. */
  release(): void {
    this.plans.clear();
  }

  /** What the plan for `shapes` (and shape-operand `values`) calls and where it falls back to the reference kernels. */
  async report(shapes: ReadonlyMap<string, readonly number[]>, values?: ReadonlyMap<string, Tensor>): Promise<PlanReport> {
    return (await this.compile(shapes, values)).report;
  }
}

export function wasmBackend(options: WasmOptions): Backend {
  return {
    name: 'wasm',
    async prepare(model) {
      const exec = new WasmExecutable(model, options);
      // A plan specialised on shape-operand values waits for the first run, which brings them.
      const shapes = exec.valueInputs.length ? undefined : staticInputShapes(model);
      if (shapes) await exec.compile(shapes);
      return exec;
    },
  };
}
