// An inference session: model bytes in, a prepared backend, `run(feeds)` out. Validates feeds
// against the model's declared inputs so that a wrong dtype or shape gets a clear error.

import type { Dim, Model, TensorType } from './ir/graph';
import { importOnnx } from './onnx/import';
import { createBackend, type BackendName, type BackendOptions, type Executable, type KernelTime, type PlanReport, type RunOptions, type TuneOptions, type TuneResult, type TuningRecords } from './backends';
import { compiledModel, compiledProblem, type CompiledModel } from './compiled';
import { isTensor, sizeOf, type DType, type Tensor } from './tensor';

export interface TensorInfo {
  readonly name: string;
  readonly type: DType | null;
  /** declared dims: sizes, symbolic names, or null where unknown; null when the rank is unknown */
  readonly dims: readonly Dim[] | null;
}

export interface SessionOptions extends BackendOptions {
  backend?: BackendName;
}

/** A feed does not match what the model expects (dtype, shape, missing or unknown name). */
export class FeedError extends Error {
  override name = 'FeedError';
}

/** A compiled model cannot be restored here (another compiler, backend or device, or damaged). */
export class CompiledModelError extends Error {
  override name = 'CompiledModelError';
}

export class InferenceSession {
  private constructor(
    /** the imported model (a restored session imports it only when a run needs a new plan) */
    readonly model: () => Promise<Model>,
    readonly backend: BackendName,
    private readonly exec: Executable,
    readonly inputs: readonly TensorInfo[],
    readonly outputs: readonly TensorInfo[],
    private readonly fingerprint: () => Promise<string>,
  ) {}

  static async create(bytes: Uint8Array, options: SessionOptions = {}): Promise<InferenceSession> {
    const model = importOnnx(bytes);
    const backend = createBackend(options.backend ?? 'reference', options);
    const exec = await backend.prepare(model);
    const info = (v: { name: string; type: unknown }): TensorInfo => {
      const t = v.type as TensorType | null;
      return t?.kind === 'tensor' ? { name: v.name, type: t.dtype, dims: t.shape } : { name: v.name, type: null, dims: null };
    };
    return new InferenceSession(async () => model, backend.name, exec, model.graph.inputs.map(info), model.graph.outputs.map(info), () => backend.fingerprint());
  }

  /**
   * A session from a compiled model (what `compiled()` gave, possibly in another process): its
   * plans get pipelines and weights placed, nothing is imported or optimized. `bytes` gives the
   * model only if a run needs a plan the compiled model does not hold (a new input shape).
   * Throws CompiledModelError when this compiler, backend or device cannot use it.
   */
  static async restore(compiled: CompiledModel, bytes: () => Promise<Uint8Array>, options: SessionOptions = {}): Promise<InferenceSession> {
    const backend = createBackend(options.backend ?? 'reference', options);
    if (!backend.restore) throw new CompiledModelError(`the ${backend.name} backend does not compile models`);
    const problem = compiledProblem(compiled, backend.name, await backend.fingerprint());
    if (problem) throw new CompiledModelError(problem);
    let model: Promise<Model> | undefined;
    // imported once; a failed read (the model deleted meanwhile) is tried again next time
    const source = () => (model ??= bytes().then((b) => importOnnx(b)).catch((e: unknown) => {
      model = undefined;
      throw e;
    }));
    const exec = await backend.restore(compiled.plans, compiled.valueInputs, source);
    return new InferenceSession(source, backend.name, exec, compiled.inputs, compiled.outputs, () => backend.fingerprint());
  }

  /** How many plans the backend has compiled (one per input-shape signature; 0 on the reference backend). */
  get planCount(): number {
    return this.exec.planCount ?? 0;
  }

  /**
   * The plans compiled so far as plain data, for a compiled-model cache; undefined on a backend
   * that does not compile (the reference executor).
   */
  async compiled(): Promise<CompiledModel | undefined> {
    const exportPlans = this.exec.exportPlans?.bind(this.exec);
    if (!exportPlans) return undefined;
    const plans = await this.holding(exportPlans);
    return compiledModel({
      backend: this.backend,
      deviceFingerprint: await this.fingerprint(),
      inputs: this.inputs,
      outputs: this.outputs,
      valueInputs: this.exec.valueInputs ?? [],
      plans,
    });
  }

  /** For compiling backends: what the plan for these input shapes dispatches and where it falls back. */
  async planReport(shapes: ReadonlyMap<string, readonly number[]>): Promise<PlanReport | undefined> {
    return this.exec.report?.(shapes);
  }

  /**
   * Tunes the compiled plans' kernels on this device (WebGPU: GEMM tiles and split-K, timed with
   * timestamp queries; webgpu/tune.ts) and recompiles them with the fastest; later runs and
   * `compiled()` use the tuned plans. Undefined on a backend that does not tune.
   */
  async tune(options: TuneOptions = {}): Promise<TuneResult[] | undefined> {
    const tune = this.exec.tune?.bind(this.exec);
    return tune ? this.holding(() => tune(options)) : undefined;
  }

  /**
   * How many tunable kernel problems of the compiled plans have no tuning record yet (0 on a
   * backend that does not tune). Reads the plans as they are at the call, so it may be called
   * just before `release()`.
   */
  untunedProblems(): Promise<number> {
    return this.exec.untuned?.() ?? Promise.resolve(0);
  }

  /** The tuning records this session's plans follow (given in the options, or made by `tune`). */
  get tuning(): TuningRecords | undefined {
    return this.exec.tuning;
  }

  /** GPU time of the last run made with `{profile: true}` (ms), on backends that measure it. */
  get lastGpuMs(): number | undefined {
    return this.exec.lastGpuMs;
  }

  /** Per-dispatch GPU times of the last run made with `{profile: 'kernels'}`, where measured. */
  get lastKernelTimes(): readonly KernelTime[] | undefined {
    return this.exec.lastKernelTimes;
  }

  /**
   * Frees the session's device memory rather than leaving it to the collector; later runs fail.
   * Runs (and exports) in flight finish first: the memory goes when the last of them ends.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    if (this.holds === 0) this.exec.release?.();
  }

  private released = false;

  /** Whether release() was called: runs and exports then fail. */
  get isReleased(): boolean {
    return this.released;
  }

  /** runs and exports in flight: release() waits for them */
  private holds = 0;

  /** Runs `work` on the executable, which a release() meanwhile does not free under it. */
  private async holding<T>(work: () => Promise<T>): Promise<T> {
    if (this.released) throw new Error('this session was released');
    this.holds++;
    try {
      return await work();
    } finally {
      if (--this.holds === 0 && this.released) this.exec.release?.();
    }
  }

  /** Runs the model. Every declared input must be fed; outputs come back keyed by name. */
  async run(feeds: Readonly<Record<string, Tensor>>, options: RunOptions = {}): Promise<Record<string, Tensor>> {
    if (this.released) throw new Error('this session was released');
    this.checkFeeds(feeds);
    const out = await this.holding(() => this.exec.run(new Map(Object.entries(feeds)), options));
    const result: Record<string, Tensor> = {};
    for (const o of this.outputs) {
      const v = out.get(o.name);
      if (!isTensor(v)) throw new Error(`output '${o.name}' is not a tensor`);
      result[o.name] = v;
    }
    return result;
  }

  private checkFeeds(feeds: Readonly<Record<string, Tensor>>): void {
    const known = new Set(this.inputs.map((i) => i.name));
    for (const name of Object.keys(feeds)) {
      if (!known.has(name)) throw new FeedError(`unknown input '${name}': the model's inputs are ${[...known].map((n) => `'${n}'`).join(', ')}`);
    }
    const symbols = new Map<string, number>();
    for (const info of this.inputs) {
      const t = feeds[info.name];
      if (!t) throw new FeedError(`missing input '${info.name}' (${describeInfo(info)})`);
      if (info.type && t.type !== info.type) {
        throw new FeedError(`input '${info.name}' must be ${describeInfo(info)}, got ${t.type}[${t.dims.join(',')}]`);
      }
      if (t.data.length !== sizeOf(t.dims)) {
        throw new FeedError(`input '${info.name}': dims [${t.dims.join(',')}] need ${sizeOf(t.dims)} elements, data has ${t.data.length}`);
      }
      if (!info.dims) continue;
      const bad = () => new FeedError(`input '${info.name}' must have shape ${describeInfo(info)}, got [${t.dims.join(',')}]`);
      if (t.dims.length !== info.dims.length) throw bad();
      info.dims.forEach((d, i) => {
        if (typeof d === 'number' && d > 0 && t.dims[i] !== d) throw bad();
        if (typeof d === 'string') {
          const seen = symbols.get(d);
          if (seen !== undefined && seen !== t.dims[i]) throw new FeedError(`dimension '${d}' is ${seen} in one input and ${t.dims[i]} in '${info.name}'`);
          symbols.set(d, t.dims[i]);
        }
      });
    }
  }
}

export function describeInfo(info: TensorInfo): string {
  const dims = info.dims ? `[${info.dims.map((d) => d ?? '?').join(',')}]` : '[…]';
  return `${info.type ?? 'tensor'}${dims}`;
}
