// Workgroup sums by subgroup operations (reduce-template.ts): the reducing kernels checked against
// the reference backend with subgroups (the default where the adapter has them: Dawn on SwiftShader
// here, subgroup size 4) and without, and the lowering checked to emit subgroupAdd for sums only,
// and exactly the shared-memory kernels when subgroups are off.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDawn } from '../../cli/node-gpu';
import { lower } from '../../runtime/backends/webgpu/lower';
import { gpuContext } from '../../runtime/backends/webgpu/gpu';
import { staticInputShapes } from '../../runtime/backends/plan-key';
import { usesSubgroups, withPrelude } from '../../runtime/backends/webgpu/wgsl';
import { importOnnx } from '../../runtime/onnx/import';
import { optimize } from '../../runtime/passes';
import { InferenceSession } from '../../runtime/session';
import { tensor, type Tensor } from '../../runtime/tensor';
import { buildModel, type IO, type NodeSpec } from '../fixtures/onnx-builder';

type Feeds = Record<string, Tensor>;

/** Deterministic values in [-scale, scale). */
function values(n: number, scale = 3, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648 - 0.5) * 2 * scale;
  });
}

const f32 = (name: string, dims: number[]): IO => ({ name, type: 'float32', dims });
const axes = (...a: bigint[]) => tensor('int64', [a.length], new BigInt64Array(a));

/**
 * Every reducing kernel family that sums: long rows (width 256, and split over workgroups), short
 * rows (width 32 and 64), odd lengths, int32, and a short reduce of many groups (no workgroup sum).
 */
const MODEL = {
  inputs: [f32('x', [3, 20, 300]), f32('y', [2, 20000]), f32('p', [2, 3, 17, 19]), f32('s', [300]), f32('t', [6, 37]),
    { name: 'n', type: 'int32' as const, dims: [5, 300] }, f32('z', [4, 500])],
  outputs: [
    f32('sum_long', [3, 20]), f32('mean_02', [20]), f32('sum_short', [3, 300]), f32('sum_split', [2]), f32('mean_split', [1]),
    f32('gap', [2, 3, 1, 1]), f32('sm', [3, 20, 300]), f32('sm_short', [6, 37]), f32('lsm', [6, 37]), f32('ln', [3, 20, 300]),
    f32('ln_short', [6, 37]), f32('lse', [3, 20]), f32('l2', [3, 20]), { name: 'isum', type: 'int32' as const, dims: [5] },
    f32('mean_t', [6]), f32('sum_flat', [2, 17, 19]), f32('zsum', [4]),
  ],
  nodes: [
    { op: 'ReduceSum', inputs: ['x', 'ax2'], outputs: ['sum_long'], attrs: { keepdims: 0 } },
    { op: 'ReduceMean', inputs: ['x', 'ax02'], outputs: ['mean_02'], attrs: { keepdims: 0 } },
    { op: 'ReduceSum', inputs: ['x', 'ax1'], outputs: ['sum_short'], attrs: { keepdims: 0 } },
    { op: 'ReduceSum', inputs: ['y', 'ax1'], outputs: ['sum_split'], attrs: { keepdims: 0 } },
    { op: 'ReduceMean', inputs: ['y', 'ax01'], outputs: ['mean_split'], attrs: { keepdims: 0 } },
    { op: 'GlobalAveragePool', inputs: ['p'], outputs: ['gap'] },
    { op: 'Softmax', inputs: ['x'], outputs: ['sm'], attrs: { axis: -1 } },
    { op: 'Softmax', inputs: ['t'], outputs: ['sm_short'], attrs: { axis: -1 } },
    { op: 'LogSoftmax', inputs: ['t'], outputs: ['lsm'], attrs: { axis: -1 } },
    { op: 'LayerNormalization', inputs: ['x', 's'], outputs: ['ln'], attrs: { axis: -1, epsilon: 1e-5 } },
    { op: 'LayerNormalization', inputs: ['t', 's37'], outputs: ['ln_short'], attrs: { axis: -1, epsilon: 1e-5 } },
    { op: 'ReduceLogSumExp', inputs: ['x', 'ax2'], outputs: ['lse'], attrs: { keepdims: 0 } },
    { op: 'ReduceL2', inputs: ['x', 'ax2'], outputs: ['l2'], attrs: { keepdims: 0 } },
    { op: 'ReduceSum', inputs: ['n', 'ax1'], outputs: ['isum'], attrs: { keepdims: 0 } },
    { op: 'ReduceMean', inputs: ['t', 'ax1'], outputs: ['mean_t'], attrs: { keepdims: 0 } },
    { op: 'ReduceSum', inputs: ['p', 'ax1'], outputs: ['sum_flat'], attrs: { keepdims: 0 } },
    { op: 'ReduceSum', inputs: ['z', 'ax1'], outputs: ['zsum'], attrs: { keepdims: 0 } },
  ] as NodeSpec[],
  initializers: { ax1: axes(1n), ax2: axes(2n), ax02: axes(0n, 2n), ax01: axes(0n, 1n), s37: tensor('float32', [37], values(37, 1, 9)) },
};

const bytes = buildModel({ ...MODEL, opset: 18 });

function feeds(): Feeds {
  // a NaN must reach the sums over it (Softmax and the max of log-sum-exp are left out: k_fmax
  // loses NaNs on SwiftShader with or without subgroups)
  const z = values(2000, 3, 13);
  z[623] = NaN;
  const p = values(1938, 3, 5);
  p[3 * 17 * 19 + 40] = NaN;
  return {
    x: tensor('float32', [3, 20, 300], values(3 * 20 * 300)),
    y: tensor('float32', [2, 20000], values(40000, 2, 3)),
    p: tensor('float32', [2, 3, 17, 19], p),
    z: tensor('float32', [4, 500], z),
    s: tensor('float32', [300], values(300, 1, 7)),
    t: tensor('float32', [6, 37], values(222, 4, 11)),
    n: tensor('int32', [5, 300], Int32Array.from({ length: 1500 }, (_, i) => ((i * 7919) % 2001) - 1000 + (i % 5 === 0 ? 2 ** 30 : 0))),
  };
}

/** NaN where the reference has NaN; elsewhere within tol relative to the output's scale. */
function expectClose(name: string, got: Tensor, want: Tensor, tol: number): void {
  expect(got.type, name).toBe(want.type);
  expect(got.dims, name).toEqual(want.dims);
  const a = Array.from(got.data as ArrayLike<number>, Number);
  const b = Array.from(want.data as ArrayLike<number>, Number);
  if (got.type === 'int32') {
    expect(a, name).toEqual(b); // integer sums are exact in any order (wrapping)
    return;
  }
  let scale = 1e-6;
  for (const v of b) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
  b.forEach((v, i) => {
    if (Number.isNaN(v)) expect(a[i], `${name}[${i}]`).toBeNaN();
    else expect(Math.abs(a[i] - v), `${name}[${i}]: ${a[i]} vs ${v}`).toBeLessThanOrEqual(tol * scale);
  });
}

beforeAll(async () => {
  await useDawn();
});

describe('webgpu subgroup reductions', () => {
  it('sum, mean, pool, softmax and layer norm kernels agree with the reference with and without subgroups', async () => {
    const ref = await (await InferenceSession.create(bytes, { backend: 'reference' })).run(feeds());
    const ctx = await gpuContext();
    for (const subgroups of [undefined, false]) {
      const session = await InferenceSession.create(bytes, { backend: 'webgpu', noFallback: true, ...(subgroups === false ? { subgroups } : {}) });
      const out = await session.run(feeds());
      for (const k of Object.keys(ref)) expectClose(`${k} (subgroups ${subgroups ?? 'default'})`, out[k], ref[k], 2e-5);
      const report = (await session.planReport(new Map(MODEL.inputs.map((i) => [i.name, i.dims as number[]]))))!;
      // the default uses subgroups exactly when the device has them; false never does
      expect(report.subgroups, `subgroups ${subgroups}`).toBe(subgroups === false ? false : ctx.subgroups);
    }
  });

  it('Dawn here has subgroups, so the default path above ran them', async () => {
    // SwiftShader (and every GPU the benchmarks use) exposes 'subgroups'; without it the test
    // above only covers the shared-memory path
    expect((await gpuContext()).subgroups).toBe(true);
  });

  it('lowers sums to subgroupAdd, keeps max/min on the tree, and without subgroups emits the tree kernels unchanged', () => {
    const model = importOnnx(bytes);
    const { model: m, types } = optimize(model, staticInputShapes(model)!, { fuseResidual: true });
    const wgsl = (subgroups?: boolean) => new Map(lower(m, types, subgroups === undefined ? {} : { subgroups }).steps.flatMap((s) =>
      s.kind === 'gpu' ? s.dispatches.map((d, i) => [`${s.node.outputs[0]}#${i}`, d.wgsl] as const) : []));
    const [plain, off, on] = [wgsl(), wgsl(false), wgsl(true)];
    expect(off).toEqual(plain);
    for (const code of plain.values()) expect(usesSubgroups(code)).toBe(false);
    for (const [out, code] of on) {
      // the short many-group ReduceSum is one invocation per output: no workgroup reduction
      const sums = out !== 'sum_flat#0';
      expect(usesSubgroups(code), out).toBe(sums);
      if (!sums) continue;
      expect(code, out).toContain('subgroupAdd(');
      expect(code, out).toContain('@builtin(subgroup_size)');
      expect(withPrelude(code).startsWith('enable subgroups;\n'), out).toBe(true);
      // the max of softmax and log-sum-exp stays a NaN-propagating tree
      if (/^(sm|lsm|sm_short|lse)#/.test(out)) expect(code, out).toMatch(/k_sh_max\[lid\] = k_fmax\(/);
    }
    expect(on.get('sum_flat#0')).toBe(plain.get('sum_flat#0'));
    // the split reduction's two passes both sum by subgroups
    expect([...on.keys()].filter((k) => k.startsWith('sum_split#'))).toEqual(['sum_split#0', 'sum_split#1']);
  });

  it('keeps GlobalMaxPool and ReduceMax on the shared-memory tree', () => {
    const model = importOnnx(buildModel({
      inputs: [f32('p', [1, 4, 9, 9]), f32('x', [8, 300])],
      outputs: [f32('gmp', [1, 4, 1, 1]), f32('mx', [8])],
      nodes: [
        { op: 'GlobalMaxPool', inputs: ['p'], outputs: ['gmp'] },
        { op: 'ReduceMax', inputs: ['x'], outputs: ['mx'], attrs: { axes: [1], keepdims: 0 } },
      ],
      opset: 17,
    }));
    const { model: m, types } = optimize(model, staticInputShapes(model)!, {});
    const code = (subgroups: boolean) => lower(m, types, { subgroups }).steps.flatMap((s) => (s.kind === 'gpu' ? s.dispatches.map((d) => d.wgsl) : []));
    expect(code(true)).toEqual(code(false));
    expect(code(true).some(usesSubgroups)).toBe(false);
  });
});
