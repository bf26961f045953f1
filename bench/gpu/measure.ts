// The timing loop shared by every engine: create, first run, warm-ups, timed runs (bounded by a
// time budget), profiled runs, then release; peak GPU memory counted from create to release.

import type { Engine, EngineResult, Feed } from './engine';
import type { GpuMemory } from './gpu-memory';

export interface MeasureOptions {
  readonly runs: number;
  readonly warmup: number;
  /** runs made with GPU timestamps, after the timed ones */
  readonly profileRuns: number;
  /** wall-clock budget for warm-ups, timed and profiled runs; at least one timed run is made */
  readonly budgetMs: number;
  /** told each stage as it starts, so that a process killed mid-way still says where */
  readonly onStage?: (stage: string) => void;
}

export interface Measured {
  readonly result: EngineResult;
  /** the first output of the last run, to compare engines */
  readonly output?: Float32Array;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

/** p50 as the lower median, so that one run gives its own time. */
const p50 = (sorted: readonly number[]) => sorted[Math.floor((sorted.length - 1) / 2)];

/**
 * Dawn quantizes timestamps to 65.536 µs (the low 16 bits of the ns count) unless the instance is
 * created with 'disable-dawn-features=timestamp_quantization': flag GPU times that look quantized.
 */
function quantized(ms: readonly number[]): boolean {
  const q = (x: number) => Math.abs((x * 1e6) / 65536 - Math.round((x * 1e6) / 65536)) < 1e-3;
  return ms.some((x) => x > 0) && ms.every(q);
}

export async function measure(engine: Engine, bytes: Uint8Array, feed: Feed, memory: GpuMemory, o: MeasureOptions): Promise<Measured> {
  let stage = 'load';
  const enter = (s: string) => {
    stage = s;
    o.onStage?.(s);
  };
  enter('load');
  const fail = async (e: unknown): Promise<Measured> => {
    const peak = memory.end(engine.key).peakBytes;
    try {
      await engine.release();
    } catch {
      // the failure already reported matters more than one in releasing
    }
    const error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    return { result: { ok: false, stage, error: error.slice(0, 800), peak_gpu_bytes: peak } };
  };
  try {
    await engine.load?.();
    memory.begin(engine.key);
    enter('create');
    const t0 = performance.now();
    await engine.create(bytes, feed);
    const create = performance.now() - t0;
    enter('first run');
    const t1 = performance.now();
    let output = await engine.run();
    const first = performance.now() - t1;
    enter('tune');
    const tuned = await engine.tune?.();
    const deadline = performance.now() + o.budgetMs;
    enter('warm-up');
    let warmup = 0;
    while (warmup < o.warmup && performance.now() < deadline) {
      await engine.run();
      warmup++;
    }
    enter('runs');
    const times: number[] = [];
    while (times.length < o.runs && (times.length === 0 || performance.now() < deadline)) {
      const s = performance.now();
      output = await engine.run();
      times.push(performance.now() - s);
    }
    enter('profile');
    const gpu: number[] = [];
    if (engine.profiledRun) {
      for (let i = 0; i < o.profileRuns && (i === 0 || performance.now() < deadline); i++) {
        const g = await engine.profiledRun();
        if (g !== undefined) gpu.push(g);
      }
    }
    enter('details');
    const details = await engine.details?.();
    const mem = memory.end(engine.key);
    enter('release');
    await engine.release();
    times.sort((a, b) => a - b);
    gpu.sort((a, b) => a - b);
    return {
      output,
      result: {
        ok: true,
        create_ms: round(create),
        first_ms: round(first),
        p50_ms: round(p50(times)),
        min_ms: round(times[0]),
        mean_ms: round(times.reduce((a, b) => a + b, 0) / times.length),
        runs: times.length,
        warmup,
        ...(gpu.length ? { gpu_p50_ms: round(p50(gpu)), gpu_min_ms: round(gpu[0]), gpu_quantized: quantized(gpu) } : {}),
        peak_gpu_bytes: mem.peakBytes,
        buffers: mem.buffers,
        ...(details || tuned ? { details: { ...details, ...(tuned ? { tune: tuned } : {}) } } : {}),
      },
    };
  } catch (e) {
    return fail(e);
  }
}
