// The WebGPU compiler backend: per input-shape signature, optimize the graph (shape
// specialisation, folding, fusion), lower it to WGSL kernels, and compile a runnable plan.
// Models with static input shapes compile at session creation; others on first run per shape.

import type { Model, TensorType } from '../../ir/graph';
import { NotSupportedOpError } from '../../ops/spec';
import { optimize } from '../../passes';
import { isTensor, type Value } from '../../tensor';
import type { Backend, BackendOptions, Executable, RunOptions } from '../index';
import { CompiledPlan, type PipelineCache, type PlanReport } from './executable';
import { gpuContext, type GpuContext } from './gpu';
import { lower } from './lower';

export class WebGpuExecutable implements Executable {
  private readonly plans = new Map<string, Promise<CompiledPlan>>();
  private readonly pipelines: PipelineCache = new Map();

  constructor(
    private readonly ctx: GpuContext,
    private readonly model: Model,
    private readonly options: BackendOptions,
  ) {}

  /** Compiles the plan for these input shapes (cached). */
  compile(shapes: ReadonlyMap<string, readonly number[]>): Promise<CompiledPlan> {
    const key = [...shapes].map(([n, d]) => `${n}:${d.join('x')}`).join(';');
    let p = this.plans.get(key);
    if (!p) {
      p = (async () => {
        const { model, types } = optimize(this.model, shapes);
        const plan = await CompiledPlan.compile(this.ctx, lower(model, types), this.pipelines);
        if (this.options.noFallback && plan.report.fallbacks.length) {
          const f = plan.report.fallbacks[0];
          throw new NotSupportedOpError(f.op, `would fall back to the CPU (${plan.report.fallbacks.length} node(s)): ${f.reason}`);
        }
        return plan;
      })();
      this.plans.set(key, p);
      p.catch(() => this.plans.delete(key));
    }
    return p;
  }

  /** The static input shapes of the model, when every input has them. */
  staticShapes(): Map<string, number[]> | undefined {
    const shapes = new Map<string, number[]>();
    for (const i of this.model.graph.inputs) {
      const t = i.type as TensorType | null;
      if (t?.kind !== 'tensor' || !t.shape?.every((d): d is number => typeof d === 'number')) return undefined;
      shapes.set(i.name, t.shape as number[]);
    }
    return shapes;
  }

  lastGpuMs: number | undefined;

  async run(feeds: ReadonlyMap<string, Value>, options: RunOptions = {}): Promise<Map<string, Value>> {
    const shapes = new Map<string, readonly number[]>();
    for (const [name, v] of feeds) if (isTensor(v)) shapes.set(name, v.dims);
    const plan = await this.compile(shapes);
    const out = await plan.run(feeds, options);
    this.lastGpuMs = plan.lastGpuMs;
    return out;
  }

  /** What the plan for `shapes` dispatches and where it falls back to the CPU. */
  async report(shapes: ReadonlyMap<string, readonly number[]>): Promise<PlanReport> {
    return (await this.compile(shapes)).report;
  }
}

export function webgpuBackend(options: BackendOptions): Backend {
  return {
    name: 'webgpu',
    async prepare(model) {
      const exec = new WebGpuExecutable(await gpuContext(), model, options);
      const shapes = exec.staticShapes();
      if (shapes) await exec.compile(shapes);
      return exec;
    },
  };
}
