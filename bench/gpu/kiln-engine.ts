// Kiln's WebGPU backend as a benchmark engine: InferenceSession with backend 'webgpu' on the Dawn
// GPU that cli/node-gpu.ts loads ($DAWN_NODE on the lent machine, the `webgpu` package elsewhere).

import { gpuContext } from '../../runtime/backends/webgpu/gpu';
import { InferenceSession } from '../../runtime/session';
import { tensor, type Tensor } from '../../runtime/tensor';
import type { Engine, Feed } from './engine';

export function kilnEngine(forceRelease: () => void): Engine {
  let session: InferenceSession | undefined;
  let feeds: Record<string, Tensor> = {};
  let shapes = new Map<string, readonly number[]>();
  /** part of creation: acquiring the adapter and device (once per process; a worker keeps it) */
  let deviceMs: number | undefined;
  const first = (out: Record<string, Tensor>): Float32Array => {
    const t = out[session!.outputs[0].name];
    return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
  };
  /** The kernels with the most GPU time, medians over 5 runs timed per dispatch, summed by label. */
  const topKernels = async () => {
    const runs: (readonly { label: string; ms: number }[])[] = [];
    for (let i = 0; i < 5; i++) {
      await session!.run(feeds, { profile: 'kernels' });
      if (!session!.lastKernelTimes) return undefined;
      runs.push(session!.lastKernelTimes);
    }
    const by = new Map<string, { ms: number; count: number }>();
    runs[0].forEach((k, i) => {
      const xs = runs.map((r) => r[i].ms).sort((a, b) => a - b);
      const e = by.get(k.label) ?? { ms: 0, count: 0 };
      by.set(k.label, { ms: e.ms + xs[2], count: e.count + 1 });
    });
    return [...by].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)
      .map(([label, e]) => ({ label, count: e.count, ms: Math.round(e.ms * 1000) / 1000 }));
  };
  return {
    key: 'kiln',
    label: 'Kiln WebGPU',
    async create(bytes, feed: Feed) {
      const t = performance.now();
      await gpuContext();
      deviceMs = performance.now() - t;
      // BENCH_KILN_SPECIALISED=1: every shape number a kernel constant (one pipeline per shape)
      // BENCH_KILN_NO_SUBGROUPS=1: workgroup sums by shared memory alone, even where the adapter has subgroups
      session = await InferenceSession.create(bytes, {
        backend: 'webgpu',
        specialiseShapes: process.env.BENCH_KILN_SPECIALISED === '1',
        subgroups: process.env.BENCH_KILN_NO_SUBGROUPS !== '1',
      });
      feeds = { [feed.name]: tensor('float32', feed.dims, feed.data) };
      shapes = new Map([[feed.name, feed.dims]]);
    },
    async run() {
      return first(await session!.run(feeds));
    },
    // BENCH_KILN_TUNE_S=N: tune the session's GEMMs on this device for at most N s after its first run
    async tune() {
      const budget = Number(process.env.BENCH_KILN_TUNE_S ?? 0);
      if (!(budget > 0)) return undefined;
      const results = (await session!.tune({ budgetMs: budget * 1000 })) ?? [];
      const round = (x: number) => Math.round(x * 1000) / 1000;
      return {
        ms: round(results.reduce((a, r) => a + r.ms, 0)),
        candidates_tried: results.reduce((a, r) => a + r.candidatesTried, 0),
        problems: results.reduce((a, r) => a + Object.keys(r.records).length, 0),
        gemm_gpu_ms: { before: round(results.reduce((a, r) => a + r.baselineMs, 0)), after: round(results.reduce((a, r) => a + r.tunedMs, 0)) },
        records: Object.assign({}, ...results.map((r) => r.records)),
      };
    },
    async profiledRun() {
      await session!.run(feeds, { profile: true });
      return session!.lastGpuMs;
    },
    async details() {
      const r = await session!.planReport(shapes);
      if (!r) return {};
      const ops = new Map<string, number>();
      for (const f of r.fallbacks) ops.set(f.op, (ops.get(f.op) ?? 0) + 1);
      return {
        top_kernels: await topKernels(),
        dispatches: r.dispatches,
        pipelines: r.pipelines,
        fallbacks: r.fallbacks.length,
        fallback_ops: Object.fromEntries(ops),
        plan_bytes: r.bytes,
        compile_ms: r.compileMs,
        subgroups: r.subgroups,
        device_ms: deviceMs,
      };
    },
    async release() {
      session?.release();
      // Whatever the session did not free (there should be nothing) is counted, then destroyed.
      forceRelease();
      session = undefined;
    },
  };
}
