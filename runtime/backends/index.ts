// The backends a session can run on, behind one interface.

import type { Model } from '../ir/graph';
import type { PlanRecord } from '../compiled';
import type { Value } from '../tensor';
import { referenceBackend } from './reference';
import type { KernelTime, PlanReport } from './webgpu/executable';
import type { TuneOptions, TuneResult, TuningRecords } from './webgpu/tune';
import { webgpuBackend } from './webgpu';
import { wasmBackend } from './wasm';
import type { WasmSource } from './wasm/module';

export type { KernelTime, PlanReport, TuneOptions, TuneResult, TuningRecords };

/** A model prepared for one backend: plain `run` from named feeds to named outputs. */
export interface Executable {
  run(feeds: ReadonlyMap<string, Value>, options?: RunOptions): Promise<Map<string, Value>>;
  /** GPU time of the last run made with `profile` (ms), where the backend can measure it */
  readonly lastGpuMs?: number;
  /** per-dispatch GPU times of the last run made with `profile: 'kernels'` */
  readonly lastKernelTimes?: readonly KernelTime[];
  /** frees what the executable holds (GPU buffers, pipelines' plans); it must not run again */
  release?(): void;
  /** For compiling backends: what the plan for these input shapes runs, and where it falls back. */
  report?(shapes: ReadonlyMap<string, readonly number[]>): Promise<PlanReport>;
  /** For compiling backends: the plans compiled so far, as plain data (see ../compiled.ts). */
  exportPlans?(): Promise<PlanRecord[]>;
  /** For compiling backends: how many plans are compiled (one per input-shape signature). */
  readonly planCount?: number;
  /** For compiling backends: graph inputs whose values the plans are specialised on. */
  readonly valueInputs?: readonly string[];
  /** For tuning backends: times kernel configurations on this device and recompiles with the fastest. */
  tune?(options?: TuneOptions): Promise<TuneResult[]>;
  /** For tuning backends: the choices recorded so far (given in the options or made by `tune`). */
  readonly tuning?: TuningRecords;
  /** For tuning backends: how many tunable problems of the compiled plans have no record yet. */
  untuned?(): Promise<number>;
}

export interface RunOptions {
  /**
   * measure GPU time with timestamp queries (costs a little readback latency); 'kernels' times
   * every dispatch on its own (slower: one compute pass each)
   */
  readonly profile?: boolean | 'kernels';
}

export interface Backend {
  readonly name: BackendName;
  prepare(model: Model): Promise<Executable>;
  /**
   * For compiling backends: an executable from plans `exportPlans` gave, with no import or
   * optimization; `source` gives the model only when a run needs a plan that was not exported.
   */
  restore?(plans: readonly PlanRecord[], valueInputs: readonly string[], source: () => Promise<Model>): Promise<Executable>;
  /**
   * What the plans depend on besides the model and the compiler: the device (adapter and the
   * features the kernels use, or the CPU's instruction set) and the options that change them.
   */
  fingerprint(): Promise<string>;
}

export interface BackendOptions {
  /** fail instead of running a node on the reference kernel when the backend has no kernel for it */
  readonly noFallback?: boolean;
  /** wasm: where the kernel module is, when the host did not say process-wide (provideWasmKernels) */
  readonly wasmKernels?: WasmSource;
  /**
   * webgpu: bake every shape number into the kernels as a constant (one pipeline per shape)
   * instead of passing sizes as uniforms (one pipeline per kernel structure, fewer to compile).
   */
  readonly specialiseShapes?: boolean;
  /**
   * webgpu: use subgroup operations where the adapter has them (default true); false keeps the
   * shared-memory reductions everywhere (for comparison).
   */
  readonly subgroups?: boolean;
  /** webgpu: GEMM configurations a tuning run on this device recorded (webgpu/tune.ts) */
  readonly tuning?: TuningRecords;
}

export const BACKENDS = ['reference', 'webgpu', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function isBackendName(s: string): s is BackendName {
  return (BACKENDS as readonly string[]).includes(s);
}

export function createBackend(name: BackendName, options: BackendOptions = {}): Backend {
  switch (name) {
    case 'reference':
      return referenceBackend;
    case 'webgpu':
      return webgpuBackend(options);
    case 'wasm':
      return wasmBackend(options);
  }
}
