// Tuning on the device (runtime/backends/webgpu/tune.ts): the GEMM problems a plan holds are timed
// under each candidate configuration, records come back per problem, the tuned plan runs the
// chosen configurations and still computes the same outputs; records given to a new session are
// followed without a tuning run. Dawn on SwiftShader here: small shapes, a short run.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDawn } from '../../cli/node-gpu';
import { gpuContext } from '../../runtime/backends/webgpu/gpu';
import { defaultGemmConfig, gemmConfig, gemmKey, tunedGemm, type GemmProblem } from '../../runtime/backends/webgpu/kernels/gemm-template';
import { lower } from '../../runtime/backends/webgpu/lower';
import { chooserOf, coarse, GEMM_CANDIDATES, type TuningRecords } from '../../runtime/backends/webgpu/tune';
import { importOnnx } from '../../runtime/onnx/import';
import { optimize } from '../../runtime/passes';
import { InferenceSession } from '../../runtime/session';
import { tensor, type Tensor } from '../../runtime/tensor';
import { buildModel } from '../fixtures/onnx-builder';
import { rng } from '../fixtures/rng';

const random = (dims: number[], seed: number): Tensor => tensor('float32', dims, rng(seed).floats(dims.reduce((a, b) => a * b, 1)));

// A pointwise conv (a 24 × 36·36 × 16 GEMM) and a MatMul (20 × 28 × 40): two tunable problems.
const model = buildModel({
  inputs: [{ name: 'x', type: 'float32', dims: [1, 16, 36, 36] }, { name: 'a', type: 'float32', dims: [20, 40] }],
  outputs: [{ name: 'y', type: 'float32', dims: [1, 24, 36, 36] }, { name: 'z', type: 'float32', dims: [20, 28] }],
  nodes: [
    { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'] },
    { op: 'Relu', inputs: ['c'], outputs: ['y'] },
    { op: 'MatMul', inputs: ['a', 'm'], outputs: ['z'] },
  ],
  initializers: { w: random([24, 16, 1, 1], 1), b: random([24], 2), m: random([40, 28], 3) },
});
const feeds = { x: random([1, 16, 36, 36], 4), a: random([20, 40], 5) };
const convKey = gemmKey({ kind: 'conv1x1', batch: 1, M: 24, N: 36 * 36, K: 16, canVec4: true });
const matmulKey = gemmKey({ kind: 'matmul', batch: 1, M: 20, N: 28, K: 40, canVec4: true });

/** What a 64-row, 32-column tile's kernel says of its first output (the defaults here take 32×32). */
const TILE_64x32 = /k_m0 = k_wid\.y \* 64u;(\n|\\n)\s*let k_n0 = k_wid\.x \* 32u;/;

function maxDiff(a: Tensor, b: Tensor): number {
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  let worst = 0;
  for (let i = 0; i < y.length; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]));
  return worst;
}

describe('GEMM configurations', () => {
  const p: GemmProblem = { kind: 'conv1x1', batch: 1, M: 256, N: 196, K: 1152, canVec4: true };

  it('take a chosen tile with the split that tile wants, and an explicit split as given', () => {
    const small = gemmConfig(p, { tileM: 32, tileN: 32, regM: 2, regN: 2 });
    expect([small.tileM, small.tileN]).toEqual([32, 32]);
    // 8 × 7 = 56 workgroups of 32×32 tiles leave the GPU idle: K is split
    expect(small.splitK).toBeGreaterThan(1);
    expect(gemmConfig(p, { tileM: 32, tileN: 32, regM: 2, regN: 2, splitK: 1 }).splitK).toBe(1);
    expect(gemmConfig(p)).toEqual(defaultGemmConfig(256, 196, 1152, 1));
  });

  it('give way to the defaults where a recorded choice cannot run (512 invocations a workgroup)', () => {
    expect(tunedGemm(p, () => ({ tileM: 64, tileN: 64, regM: 2, regN: 4 })).config).toEqual(gemmConfig(p));
    expect(tunedGemm(p, () => ({ tileM: 64, tileN: 64, regM: 4, regN: 4 })).config.tileN).toBe(64); // the default here: 32
  });

  it('reach the lowering through records keyed by problem', () => {
    const imported = importOnnx(model);
    const { model: m, types } = optimize(imported, new Map([['x', [1, 16, 36, 36]], ['a', [20, 40]]]));
    const records: TuningRecords = { [matmulKey]: { config: { tileM: 64, tileN: 32, regM: 4, regN: 2, splitK: 1 }, ms: 1, baselineMs: 2 } };
    const plan = lower(m, types, { gemmChoice: chooserOf(records) });
    const dispatches = plan.steps.flatMap((s) => (s.kind === 'gpu' ? s.dispatches : []));
    expect(dispatches.map((d) => d.tuneKey).filter(Boolean).sort()).toEqual([convKey, matmulKey].sort());
    const matmul = dispatches.find((d) => d.tuneKey === matmulKey)!;
    // 64×32 tiles (the default here: 32×32)
    expect(matmul.wgsl).toMatch(TILE_64x32);
    const untuned = lower(m, types).steps.flatMap((s) => (s.kind === 'gpu' ? s.dispatches : [])).find((d) => d.tuneKey === matmulKey)!;
    expect(untuned.wgsl).not.toMatch(TILE_64x32);
  });
});

describe('timestamp resolution', () => {
  it('tells times on a grid of ticks (quantized by the browser) from spread ones', () => {
    expect(coarse(new Map([['a', [0, 0.1, 0, 0.1]], ['b', [0.2, 0.3, 0.2, 0.2]]]))).toBe(true);
    expect(coarse(new Map([['a', [0, 0, 0]]]))).toBe(true);
    expect(coarse(new Map([['a', [0.0123, 0.0131, 0.0127]], ['b', [0.2101, 0.2093]]]))).toBe(false);
  });
});

describe('tuning on the device', () => {
  beforeAll(async () => {
    await useDawn();
  });

  it('times every tunable GEMM under each candidate and keeps outputs exact', async () => {
    const ctx = await gpuContext();
    if (!ctx.timestamps) return expect(ctx.timestamps, 'Dawn offers timestamp queries on SwiftShader').toBe(true);
    const session = await InferenceSession.create(model, { backend: 'webgpu', noFallback: true });
    const reference = await InferenceSession.create(model, { backend: 'reference' });
    const want = await reference.run(feeds);
    // weight buffers made during the run (labelled by initializer)
    const made: string[] = [];
    const createBuffer = ctx.device.createBuffer.bind(ctx.device);
    ctx.device.createBuffer = (d: GPUBufferDescriptor) => (made.push(d.label ?? ''), createBuffer(d));
    let results;
    try {
      results = (await session.tune({ runs: 3, budgetMs: 60_000 }))!;
    } finally {
      ctx.device.createBuffer = createBuffer;
    }
    // the timed plans borrow the session's weights: only the recompiled, tuned plan uploads them
    expect(made.filter((l) => l === 'w').length).toBeLessThanOrEqual(1);
    expect(results).toHaveLength(1);
    const [r] = results;
    expect(r.candidatesTried).toBe(GEMM_CANDIDATES.length);
    expect(Object.keys(r.records).sort()).toEqual([convKey, matmulKey].sort());
    for (const rec of Object.values(r.records)) {
      expect(rec.ms).toBeGreaterThan(0);
      // a choice is kept only where it beat the baseline; otherwise the defaults stay
      if (Object.keys(rec.config).length) expect(rec.ms).toBeLessThan(rec.baselineMs);
      else expect(rec.ms).toBe(rec.baselineMs);
    }
    expect(r.tunedMs).toBeLessThanOrEqual(r.baselineMs);
    expect(session.tuning).toEqual(r.records);
    const got = await session.run(feeds);
    expect(maxDiff(got.y, want.y)).toBeLessThan(1e-4);
    expect(maxDiff(got.z, want.z)).toBeLessThan(1e-4);
  }, 120_000);

  it('stops starting candidates when the budget is spent', async () => {
    const session = await InferenceSession.create(model, { backend: 'webgpu' });
    const [r] = (await session.tune({ runs: 1, budgetMs: 0 }))!;
    expect(r?.candidatesTried ?? 0).toBe(0);
  });

  it('follows records given to a new session, and its compiled model keeps the choice', async () => {
    const records: TuningRecords = { [convKey]: { config: { tileM: 64, tileN: 32, regM: 4, regN: 2, splitK: 1 }, ms: 1, baselineMs: 2 } };
    const session = await InferenceSession.create(model, { backend: 'webgpu', tuning: records });
    expect(session.tuning).toEqual(records);
    const compiled = (await session.compiled())!;
    const sources = JSON.stringify(compiled.plans);
    expect(sources).toMatch(TILE_64x32);
    const reference = await InferenceSession.create(model, { backend: 'reference' });
    expect(maxDiff((await session.run(feeds)).y, (await reference.run(feeds)).y)).toBeLessThan(1e-4);
    // tuning again times only the problem without a record; retune times both
    const [again] = (await session.tune({ runs: 1, budgetMs: 60_000 }))!;
    expect(Object.keys(again.records)).toEqual([matmulKey]);
    expect(session.tuning?.[convKey]).toEqual(records[convKey]);
    const [both] = (await session.tune({ runs: 1, budgetMs: 60_000, retune: true }))!;
    expect(Object.keys(both.records).sort()).toEqual([convKey, matmulKey].sort());
  }, 120_000);
});
