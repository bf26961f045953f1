// What the GPU benchmark measures, engine by engine: create a session from ONNX bytes, run it end
// to end (upload, compute, readback) on one fixed input, optionally measure GPU time, release it.

export interface Feed {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface Engine {
  /** short key in the JSON: 'kiln', 'ort' */
  readonly key: string;
  readonly label: string;
  /** one-time loading that is not part of session creation (importing a library) */
  load?(): Promise<void>;
  create(bytes: Uint8Array, feed: Feed): Promise<void>;
  /** one end-to-end run; returns the first output, on the CPU */
  run(): Promise<Float32Array>;
  /** one run with GPU timestamps, its GPU ms; undefined where the engine cannot say */
  profiledRun?(): Promise<number | undefined>;
  /**
   * tunes the session on this device after its first run, where the engine does and was asked to
   * (Kiln: BENCH_KILN_TUNE_S); what it found goes into the details. Not part of any timing.
   */
  tune?(): Promise<Record<string, unknown> | undefined>;
  /** what the engine says about its plan (dispatches, fallbacks), after create */
  details?(): Promise<Record<string, unknown>>;
  release(): Promise<void>;
}

export interface EngineFigures {
  readonly ok: true;
  readonly create_ms: number;
  readonly first_ms: number;
  readonly p50_ms: number;
  readonly min_ms: number;
  readonly mean_ms: number;
  readonly runs: number;
  readonly warmup: number;
  /** p50 and min over the profiled runs, when the engine measures GPU time */
  readonly gpu_p50_ms?: number;
  readonly gpu_min_ms?: number;
  /** every GPU time a multiple of Dawn's 65.536 µs timestamp quantum: coarse figures */
  readonly gpu_quantized?: boolean;
  readonly peak_gpu_bytes: number;
  readonly buffers: number;
  readonly details?: Record<string, unknown>;
}

export interface EngineFailure {
  readonly ok: false;
  /** where it failed: load, create, first run, runs, profile */
  readonly stage: string;
  readonly error: string;
  readonly peak_gpu_bytes?: number;
}

export type EngineResult = EngineFigures | EngineFailure;
