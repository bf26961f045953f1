// The shape of the GPU benchmark's JSON: what bench.ts writes per Node process, what
// torch_bench.py writes, and results.json, which report.ts combines them into and reads.

import type { EngineResult } from './engine';
import type { MeasureOptions } from './measure';

export interface ModelRecord {
  model: string;
  file: string;
  bytes: number;
  sha256: string;
  input?: { name: string; dims: number[] };
  engines: Record<string, EngineResult>;
  /** max |kiln − ort| over the first output, and the scale it is relative to */
  agreement?: { max_abs_diff: number; ort_max_abs: number };
  error?: string;
}

/** One bench.ts process. */
export interface BenchReport {
  kind: 'kiln-gpu-bench';
  date: string;
  device: string;
  timestamp_query: boolean;
  node: string;
  dawn: string;
  options: MeasureOptions;
  models: ModelRecord[];
}

export interface TorchTiming {
  readonly p50_ms: number;
  readonly min_ms: number;
  readonly mean_ms: number;
  readonly runs: number;
}

/** torch_bench.py: CUDA-event times (eager, graph) and synchronised wall times with upload and readback (…_e2e). */
export interface TorchReport {
  kind: 'torch-bench';
  torch: string;
  torchvision: string;
  cuda: string | null;
  cudnn: number | null;
  gpu: string | null;
  runs: number;
  warmup: number;
  exports: Record<string, { ok: boolean; exporter?: string; bytes?: number; seconds?: number; error?: string }>;
  models: Record<string, { eager?: TorchTiming; eager_e2e?: TorchTiming; graph?: TorchTiming; graph_e2e?: TorchTiming; error?: string }>;
  error?: string;
}

export interface Stage {
  name: string;
  rc: number;
  seconds: number;
}

export interface Results {
  kind: 'kiln-gpu-results';
  date: string;
  /** the commit the bench was packed from, '+dirty' when the tree had changes */
  commit: string;
  gpu: string;
  stages: Stage[];
  torch?: TorchReport;
  bench: BenchReport[];
}
