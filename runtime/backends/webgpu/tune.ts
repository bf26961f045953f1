// Tuning on the device in hand (DESIGN.md "Tuning", TVM's AutoTVM idea): for each tunable GEMM of
// a plan (gemm-template.ts: conv, MatMul and Gemm products wide enough for tiles), time a few tile
// and split-K configurations with timestamp queries and keep the fastest where it beats what the
// plan ran. Each candidate is lowered for the whole plan at once and every GEMM timed on its own
// (`profile: 'kernels'`), so a handful of plan runs covers every problem; no candidate uploads
// the weights again: each borrows the buffers of the plan in use (or of the baseline). Bounded in time; the
// records are plain data keyed by problem (gemmKey), for the device they were measured on.

import type { Model, TensorType } from '../../ir/graph';
import { tensor, type Tensor } from '../../tensor';
import { CompiledPlan } from './executable';
import { devicePipelines, type GpuContext } from './gpu';
import { gemmKey, type GemmChooser, type GemmConfig, type GemmProblem } from './kernels/gemm-template';
import { lower, type LowerOptions, type Plan } from './lower';
import { concrete } from './storage';

/** What a tuning run found for one problem: the configuration to use (empty: the defaults). */
export interface TuningRecord {
  readonly config: Partial<GemmConfig>;
  /** its GPU time per run (ms), and that of what the plan ran before tuning */
  readonly ms: number;
  readonly baselineMs: number;
}

/** Records by problem key (gemmKey), for one device. */
export type TuningRecords = Readonly<Record<string, TuningRecord>>;

/**
 * The configurations tried: four tiles, each with split-K as the tile wants it and with none, all
 * loading B four columns at a time where the problem allows it (gemmConfig checks).
 */
export const GEMM_CANDIDATES: readonly Partial<GemmConfig>[] = [
  { tileM: 64, tileN: 64, regM: 4, regN: 4, vec4B: true },
  { tileM: 32, tileN: 64, regM: 2, regN: 4, vec4B: true },
  { tileM: 64, tileN: 32, regM: 4, regN: 2, vec4B: true },
  { tileM: 32, tileN: 32, regM: 2, regN: 2, vec4B: true },
  { tileM: 64, tileN: 64, regM: 4, regN: 4, vec4B: true, splitK: 1 },
  { tileM: 32, tileN: 64, regM: 2, regN: 4, vec4B: true, splitK: 1 },
  { tileM: 64, tileN: 32, regM: 4, regN: 2, vec4B: true, splitK: 1 },
  { tileM: 32, tileN: 32, regM: 2, regN: 2, vec4B: true, splitK: 1 },
];

/** A candidate must beat the baseline by this fraction to be kept (timing noise stays out). */
const MIN_GAIN = 0.05;

export interface TuneOptions {
  /** no new candidate starts after this many ms (default 10 000) */
  readonly budgetMs?: number;
  /** timed runs per candidate, after one untimed (default 5) */
  readonly runs?: number;
  readonly signal?: AbortSignal;
  /** time again problems that have a record already (default: they keep it) */
  readonly retune?: boolean;
}

export interface TuneResult {
  /** every problem timed, with its choice (an empty config where the baseline stayed fastest) */
  readonly records: TuningRecords;
  readonly candidatesTried: number;
  readonly candidates: number;
  /** the tuned GEMMs' GPU time per run (ms), as the plan ran them and with the choices */
  readonly baselineMs: number;
  readonly tunedMs: number;
  readonly ms: number;
}

/** The lowering's chooser from records (problems without one take the defaults). */
export function chooserOf(records: TuningRecords): GemmChooser {
  return (p) => records[gemmKey(p)]?.config;
}

/**
 * Tunes the GEMMs of the plan lowered from `model` (optimized, `types` known): `lowering` is how
 * the plan was lowered, its `gemmChoice` the baseline. Needs timestamp queries; without them, or
 * with no tunable GEMM left once the `known` ones are set aside, nothing is timed.
 */
export async function tuneGemms(
  ctx: GpuContext, model: Model, types: ReadonlyMap<string, TensorType | null>, lowering: LowerOptions, options: TuneOptions = {},
  /** problems with a record already: set aside unless `options.retune` */
  known: ReadonlySet<string> = new Set(),
  /** a compiled plan of this model whose weight buffers the run borrows (else it uploads them once); it must outlive the run */
  lender?: CompiledPlan,
): Promise<TuneResult> {
  const started = performance.now();
  const budget = options.budgetMs ?? 10_000;
  const baselinePlan = lower(model, types, lowering);
  const tunable = new Set([...tuneKeysOf(baselinePlan)].filter((key) => options.retune || !known.has(key)));
  const empty = { records: {}, candidatesTried: 0, candidates: GEMM_CANDIDATES.length, baselineMs: 0, tunedMs: 0 };
  if (!ctx.timestamps || tunable.size === 0) return { ...empty, ms: performance.now() - started };

  const feeds = zeroFeeds(baselinePlan);
  let runs = options.runs ?? 5;
  // the weights: the lender's, or uploaded once with the baseline; every candidate's plan borrows them
  const base = await CompiledPlan.compile(ctx, baselinePlan, devicePipelines(ctx), lender);
  const best = new Map<string, { config: Partial<GemmConfig>; ms: number }>();
  let baseline: Map<string, number>;
  let tried = 0;
  try {
    let samples = await timeGemms(base, feeds, runs, tunable);
    if (coarse(samples) && runs < COARSE_RUNS) {
      runs = COARSE_RUNS;
      samples = await timeGemms(base, feeds, runs, tunable);
    }
    baseline = means(samples);
    for (const candidate of GEMM_CANDIDATES) {
      if (performance.now() - started > budget) break;
      options.signal?.throwIfAborted();
      const choose: GemmChooser = (p: GemmProblem) => (tunable.has(gemmKey(p)) ? candidate : lowering.gemmChoice?.(p));
      const compiled = await CompiledPlan.compile(ctx, lower(model, types, { ...lowering, gemmChoice: choose }), devicePipelines(ctx), base);
      let times: Map<string, number>;
      try {
        times = means(await timeGemms(compiled, feeds, runs, tunable));
      } finally {
        compiled.destroy();
      }
      tried++;
      for (const [key, ms] of times) {
        const b = best.get(key);
        if (!b || ms < b.ms) best.set(key, { config: candidate, ms });
      }
    }
  } finally {
    base.destroy();
  }
  const records: Record<string, TuningRecord> = {};
  let baselineMs = 0;
  let tunedMs = 0;
  for (const [key, base] of baseline) {
    const b = best.get(key);
    if (!b) continue; // no candidate timed it (out of budget)
    const wins = b.ms < base * (1 - MIN_GAIN);
    records[key] = wins ? { config: b.config, ms: b.ms, baselineMs: base } : { config: {}, ms: base, baselineMs: base };
    baselineMs += base;
    tunedMs += wins ? b.ms : base;
  }
  return { records, candidatesTried: tried, candidates: GEMM_CANDIDATES.length, baselineMs, tunedMs, ms: performance.now() - started };
}

/** The tunable GEMM problems of a plan: the keys its dispatches carry (gemm-template.ts tunedGemm). */
export function tuneKeysOf(plan: Plan): Set<string> {
  const keys = new Set<string>();
  for (const step of plan.steps) {
    if (step.kind === 'gpu') for (const d of step.dispatches) if (d.tuneKey !== undefined) keys.add(d.tuneKey);
  }
  return keys;
}

/** Zero-filled inputs of the plan's shapes (a GEMM's time does not depend on its values). */
function zeroFeeds(plan: Plan): Map<string, Tensor> {
  const feeds = new Map<string, Tensor>();
  for (const i of plan.model.graph.inputs) {
    if (plan.model.graph.initializers.has(i.name)) continue;
    const t = concrete(plan.types.get(i.name));
    if (t) feeds.set(i.name, tensor(t.dtype, t.dims));
  }
  return feeds;
}

/** GPU ms of each tunable GEMM of the compiled plan, one sample per run (its dispatches summed). */
async function timeGemms(compiled: CompiledPlan, feeds: ReadonlyMap<string, Tensor>, runs: number, tunable: ReadonlySet<string>): Promise<Map<string, number[]>> {
  await compiled.run(feeds);
  const samples = new Map<string, number[]>();
  for (let r = 0; r < runs; r++) {
    await compiled.run(feeds, { profile: 'kernels' });
    const sums = new Map<string, number>();
    for (const k of compiled.lastKernelTimes ?? []) {
      if (k.tuneKey !== undefined && tunable.has(k.tuneKey)) sums.set(k.tuneKey, (sums.get(k.tuneKey) ?? 0) + k.ms);
    }
    for (const [key, ms] of sums) {
      const s = samples.get(key);
      if (s) s.push(ms);
      else samples.set(key, [ms]);
    }
  }
  return samples;
}

/**
 * Timed runs per candidate where timestamps are coarse. Chrome quantizes them (to 100 µs unless
 * WebGPU developer features are on) and a GEMM takes a few to tens of microseconds: a single time
 * then says little, but the mean of many is unbiased, the kernel's start falling anywhere
 * between two ticks.
 */
const COARSE_RUNS = 40;

/** Whether the samples sit on a grid of 20 µs or more (quantized timestamps) rather than spread. */
export function coarse(samples: ReadonlyMap<string, readonly number[]>): boolean {
  const values = [...new Set([...samples.values()].flat())].sort((a, b) => a - b);
  if (values.length < 2) return values.length === 1 && values[0] === 0;
  let gap = Infinity;
  for (let i = 1; i < values.length; i++) gap = Math.min(gap, values[i] - values[i - 1]);
  return gap >= 0.02;
}

const means = (samples: ReadonlyMap<string, number[]>) => new Map([...samples].map(([key, s]) => [key, trimmedMean(s)]));

/**
 * The mean without the fastest and slowest sample: robust to an outlier, and unbiased where the
 * timestamps are quantized (a median of rounded times would keep the rounding).
 */
function trimmedMean(s: number[]): number {
  const sorted = [...s].sort((a, b) => a - b);
  const kept = sorted.length > 2 ? sorted.slice(1, -1) : sorted;
  return kept.reduce((a, b) => a + b, 0) / kept.length;
}
