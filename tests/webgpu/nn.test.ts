// WebGPU Conv (pointwise GEMM, implicit GEMM, depthwise, grouped), Gemm, MatMul, pooling and
// Resize kernels checked against the reference backend on small seeded-random shapes (Dawn on
// SwiftShader here: keep shapes small). Sizes avoid tile multiples so the bounds guards run too.
// The GEMMs run their default configuration, and where a test says so the bigger tiles and vec4
// loads a tuning run may choose.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDawn } from '../../cli/node-gpu';
import type { PlanReport } from '../../runtime/backends/webgpu/executable';
import type { GemmConfig } from '../../runtime/backends/webgpu/kernels/gemm-template';
import { lower } from '../../runtime/backends/webgpu/lower';
import { tuneKeysOf, type TuningRecord, type TuningRecords } from '../../runtime/backends/webgpu/tune';
import { importOnnx } from '../../runtime/onnx/import';
import { optimize } from '../../runtime/passes';
import { InferenceSession } from '../../runtime/session';
import { tensor, type Tensor } from '../../runtime/tensor';
import { buildModel, type IO, type NodeSpec } from '../fixtures/onnx-builder';
import { rng } from '../fixtures/rng';

type Feeds = Record<string, Tensor>;

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * Runs the model on WebGPU and the reference, compares, and returns the WebGPU plan's report for
 * the feeds' shapes. `gemm` gives every tunable GEMM that configuration, as a tuning run would.
 */
async function compare(
  inputs: IO[], outputs: IO[], nodes: NodeSpec[], initializers: Record<string, Tensor>, feeds: Feeds, tol = 1e-4, opset = 18,
  gemm?: Partial<GemmConfig>,
): Promise<PlanReport> {
  const bytes = buildModel({ inputs, outputs, nodes, initializers, opset });
  const tuning = gemm ? recordsGiving(bytes, feeds, gemm) : undefined;
  const gpu = await InferenceSession.create(bytes, { backend: 'webgpu', noFallback: true, tuning });
  if (tuning) expect(Object.keys(tuning).length, 'the model has a tunable GEMM').toBeGreaterThan(0);
  if (gemm?.vec4B) expect(JSON.stringify((await gpu.compiled())!.plans), 'B loaded by vec4').toContain('array<vec4<f32>>');
  const ref = await InferenceSession.create(bytes, { backend: 'reference' });
  const [g, r] = [await gpu.run(feeds), await ref.run(feeds)];
  for (const k of Object.keys(r)) {
    expect(g[k].dims, k).toEqual(r[k].dims);
    const a = g[k].data as Float32Array;
    const b = r[k].data as Float32Array;
    let scale = 1e-6;
    for (const v of b) scale = Math.max(scale, Math.abs(v));
    let worst = 0;
    for (let i = 0; i < b.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
    expect(worst / scale, `${k}: max abs diff ${worst} at output scale ${scale}`).toBeLessThanOrEqual(tol);
  }
  return (await gpu.planReport(new Map(Object.entries(feeds).map(([name, t]) => [name, t.dims]))))!;
}

/** Tuning records giving every tunable GEMM of the model (at the feeds' shapes) `config`. */
function recordsGiving(bytes: Uint8Array, feeds: Feeds, config: Partial<GemmConfig>): TuningRecords {
  const shapes = new Map(Object.entries(feeds).map(([n, t]) => [n, t.dims]));
  const { model, types } = optimize(importOnnx(bytes), shapes, { fuseResidual: true, fuseChannelScale: true });
  return Object.fromEntries([...tuneKeysOf(lower(model, types))].map((key): [string, TuningRecord] => [key, { config, ms: 0, baselineMs: 0 }]));
}

/** B loaded four columns at a time, where a problem allows it (the defaults load scalars). */
const VEC4: Partial<GemmConfig> = { vec4B: true };

const f32 = (name: string, dims: number[]): IO => ({ name, type: 'float32', dims });
/** A 4-D float output whose dims the model leaves symbolic. */
const out4 = (name: string): IO => ({ name, type: 'float32', dims: ['d0', 'd1', 'd2', 'd3'] });

interface ConvCase {
  readonly N: number;
  readonly C: number;
  readonly M: number;
  readonly H: number;
  readonly W: number;
  readonly k: number;
  readonly attrs: Record<string, number | number[] | string>;
  readonly group?: number;
  readonly act?: NodeSpec['op'];
}

/** Conv (with bias) optionally followed by an activation the fusion pass folds into it. */
async function checkConv(seed: number, c: ConvCase, gemm?: Partial<GemmConfig>): Promise<void> {
  const r = rng(seed);
  const g = c.group ?? 1;
  const wDims = [c.M, c.C / g, c.k, c.k];
  const xDims = [c.N, c.C, c.H, c.W];
  const nodes: NodeSpec[] = [{ op: 'Conv', inputs: ['x', 'w', 'b'], outputs: [c.act ? 'c' : 'y'], attrs: { ...c.attrs, group: g } }];
  if (c.act === 'Clip') nodes.push({ op: 'Clip', inputs: ['c', 'lo', 'hi'], outputs: ['y'] });
  else if (c.act) nodes.push({ op: c.act, inputs: ['c'], outputs: ['y'] });
  const inits: Record<string, Tensor> = {
    w: tensor('float32', wDims, r.floats(size(wDims))),
    b: tensor('float32', [c.M], r.floats(c.M)),
    lo: tensor('float32', [], new Float32Array([0])),
    hi: tensor('float32', [], new Float32Array([6])),
  };
  await compare([f32('x', xDims)], [out4('y')], nodes, inits, { x: tensor('float32', xDims, r.floats(size(xDims), 2)) }, undefined, undefined, gemm);
}

beforeAll(async () => {
  await useDawn();
});

describe('webgpu nn kernels', () => {
  it('pointwise 1×1 Conv (tiled GEMM, more than one tile, fused Relu)', async () => {
    const r = rng(11);
    await checkConv(1, { N: 1, C: r.int(20, 40), M: r.int(65, 80), H: 9, W: r.int(13, 17), k: 1, attrs: {}, act: 'Relu' });
    // a plane that is a multiple of 4 can take vec4 loads (a tuning run's choice), and bigger tiles
    await checkConv(2, { N: 2, C: 17, M: 24, H: 4, W: 8, k: 1, attrs: {} }, VEC4);
    await checkConv(5, { N: 1, C: 20, M: 70, H: 9, W: 12, k: 1, attrs: {}, act: 'Relu' }, { tileM: 64, tileN: 64, regM: 4, regN: 4, vec4B: true });
    await checkConv(6, { N: 1, C: 20, M: 70, H: 9, W: 11, k: 1, attrs: {} }, { tileM: 64, tileN: 32, regM: 4, regN: 2 });
    // deep and narrow: K split over workgroups, partial sums added by a second dispatch
    await checkConv(8, { N: 1, C: 600, M: 20, H: 3, W: 3, k: 1, attrs: {}, act: 'Relu' });
  });

  it('3×3 stride-2 padded Conv (implicit GEMM, fused Relu6)', async () => {
    const r = rng(12);
    await checkConv(3, { N: 1, C: r.int(3, 9), M: r.int(5, 20), H: r.int(9, 15), W: r.int(9, 15), k: 3, attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, act: 'Clip' });
    await checkConv(4, { N: 2, C: 4, M: 6, H: 8, W: 7, k: 3, attrs: { strides: [2, 2], auto_pad: 'SAME_UPPER', dilations: [1, 1] } });
  });

  it('Conv over few input channels (direct kernel): RGB stems 3×3 and 7×7, strides, dilation, output channels not a multiple of the block', async () => {
    await checkConv(31, { N: 1, C: 3, M: 10, H: 13, W: 15, k: 3, attrs: { strides: [2, 2], pads: [1, 1, 1, 1] }, act: 'Clip' });
    await checkConv(32, { N: 2, C: 3, M: 16, H: 17, W: 14, k: 7, attrs: { strides: [2, 2], pads: [3, 3, 3, 3] }, act: 'Relu' });
    await checkConv(33, { N: 1, C: 4, M: 5, H: 9, W: 11, k: 3, attrs: { dilations: [2, 1], pads: [0, 1, 2, 0] } });
    // with a fused residual: Relu(Conv(x) + x)
    const r = rng(36);
    const xDims = [2, 3, 6, 7];
    await compare([f32('x', xDims)], [out4('y')], [
      { op: 'Conv', inputs: ['x', 'k', 'kb'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['c', 'x'], outputs: ['s'] },
      { op: 'Relu', inputs: ['s'], outputs: ['y'] },
    ], { k: tensor('float32', [3, 3, 3, 3], r.floats(81)), kb: tensor('float32', [3], r.floats(3)) }, { x: tensor('float32', xDims, r.floats(size(xDims))) });
    const bytes = buildModel({
      inputs: [f32('x', [1, 3, 16, 16])], outputs: [out4('y')],
      nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } }],
      initializers: { w: tensor('float32', [8, 3, 3, 3], rng(34).floats(216)) }, opset: 18,
    });
    const { model, types } = optimize(importOnnx(bytes), new Map([['x', [1, 3, 16, 16]]]));
    expect(lower(model, types).steps.flatMap((st) => (st.kind === 'gpu' ? st.dispatches.map((d) => d.label) : []))).toEqual(['conv3x3s1_direct']);
  });

  it('layout choice: an NHWC input transposed for a stem and a conv output transposed back cost no kernel (the convs read and write channels-last), unless another reader needs the channels-first value', async () => {
    const r = rng(37);
    const xDims = [2, 7, 9, 3];
    const init = { w: tensor('float32', [10, 3, 3, 3], r.floats(270)), wb: tensor('float32', [10], r.floats(10)), p: tensor('float32', [6, 10, 1, 1], r.floats(60)) };
    const nodes = (extra: NodeSpec[]): NodeSpec[] => [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Conv', inputs: ['t', 'w', 'wb'], outputs: ['c'], attrs: { strides: [2, 2], pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c'], outputs: ['a'] },
      { op: 'Conv', inputs: ['a', 'p'], outputs: ['q'] },
      { op: 'Transpose', inputs: ['q'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
      ...extra,
    ];
    const feeds = { x: tensor('float32', xDims, r.floats(size(xDims))) };
    // both Transposes are aliases: the stem reads x as it is, the 1×1 conv writes y's order
    const both = await compare([f32('x', xDims)], [out4('y')], nodes([]), init, feeds);
    expect([both.dispatches, both.aliases]).toEqual([2, 2]);
    // q is also read channels-first (a graph output): the last Transpose runs; the first stays an alias
    const one = await compare([f32('x', xDims)], [out4('y'), out4('q')], nodes([]), init, feeds);
    expect([one.dispatches, one.aliases]).toEqual([3, 1]);
    // the stem alone, reading and writing channels-last (its output strides too)
    const stem = await compare([f32('x', xDims)], [out4('y')], [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Conv', inputs: ['t', 'w', 'wb'], outputs: ['q'], attrs: { pads: [0, 1, 2, 1] } },
      { op: 'Transpose', inputs: ['q'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
    ], init, feeds);
    expect([stem.dispatches, stem.aliases]).toEqual([1, 2]);
    // a depthwise conv takes no channels-last value: every Transpose runs
    const dw = await compare([f32('x', xDims)], [out4('y')], [
      { op: 'Transpose', inputs: ['x'], outputs: ['t'], attrs: { perm: [0, 3, 1, 2] } },
      { op: 'Conv', inputs: ['t', 'd'], outputs: ['q'], attrs: { group: 3, pads: [1, 1, 1, 1] } },
      { op: 'Transpose', inputs: ['q'], outputs: ['y'], attrs: { perm: [0, 2, 3, 1] } },
    ], { d: tensor('float32', [3, 1, 3, 3], r.floats(27)) }, feeds);
    expect([dw.dispatches, dw.aliases]).toEqual([3, 0]);
  });

  it('depthwise Conv (direct kernel), stride 1 and 2, channel multiplier 2', async () => {
    const r = rng(13);
    const C = r.int(5, 12);
    await checkConv(5, { N: 1, C, M: C, H: r.int(7, 13), W: r.int(9, 19), k: 3, group: C, attrs: { pads: [1, 1, 1, 1] }, act: 'Clip' });
    await checkConv(6, { N: 2, C: 4, M: 8, H: 11, W: 10, k: 5, group: 4, attrs: { strides: [2, 2], pads: [2, 2, 2, 2] } });
  });

  it('shape-generic kernels: convolutions and adds of different sizes share pipelines, sizes in uniforms', async () => {
    const r = rng(41);
    // an inverted-residual stack: pointwise 12→16, depthwise, pointwise 16→24, depthwise, pointwise 24→12, + x
    const chans = [12, 16, 24, 12];
    const nodes: NodeSpec[] = [];
    const inits: Record<string, Tensor> = {};
    let prev = 'x';
    for (let i = 0; i < 3; i++) {
      const [c, m] = [chans[i], chans[i + 1]];
      inits[`pw${i}`] = tensor('float32', [m, c, 1, 1], r.floats(m * c));
      nodes.push({ op: 'Conv', inputs: [prev, `pw${i}`], outputs: [`p${i}`] });
      prev = `p${i}`;
      if (i < 2) {
        inits[`dw${i}`] = tensor('float32', [m, 1, 3, 3], r.floats(m * 9));
        nodes.push({ op: 'Conv', inputs: [prev, `dw${i}`], outputs: [`d${i}`], attrs: { group: m, pads: [1, 1, 1, 1] } });
        prev = `d${i}`;
      }
    }
    nodes.push({ op: 'Add', inputs: [prev, 'x'], outputs: ['s'] }, { op: 'Add', inputs: ['p0', 'p0'], outputs: ['t'] });
    const xDims = [1, 12, 10, 10];
    const feeds = { x: tensor('float32', xDims, r.floats(size(xDims))) };
    const generic = await compare([f32('x', xDims)], [out4('s'), out4('t')], nodes, inits, feeds);
    const bytes = buildModel({ inputs: [f32('x', xDims)], outputs: [out4('s'), out4('t')], nodes, initializers: inits, opset: 18 });
    const baked = (await (await InferenceSession.create(bytes, { backend: 'webgpu', specialiseShapes: true })).planReport(new Map([['x', xDims]])))!;
    // the last pointwise conv takes `+ x` as its fused residual
    expect(generic.dispatches).toBe(6);
    // one pointwise GEMM (with or without a residual: a flag in its uniform), one depthwise kernel, one add
    expect(generic.pipelines).toBe(3);
    expect(baked.pipelines).toBe(6);
  });

  it('split-K is run data: a deep pointwise conv split over workgroups shares its GEMM pipeline with a shallow unsplit one', async () => {
    const r = rng(53);
    // 8×8 planes leave a 32×32-tile GEMM two workgroups: the 256-deep conv splits K, the 32-deep one does not
    const inits: Record<string, Tensor> = {
      w0: tensor('float32', [32, 256, 1, 1], r.floats(32 * 256)),
      b0: tensor('float32', [32], r.floats(32)),
      w1: tensor('float32', [32, 32, 1, 1], r.floats(32 * 32)),
      b1: tensor('float32', [32], r.floats(32)),
    };
    const nodes: NodeSpec[] = [
      { op: 'Conv', inputs: ['x', 'w0', 'b0'], outputs: ['a'] },
      { op: 'Relu', inputs: ['a'], outputs: ['ar'] },
      { op: 'Conv', inputs: ['ar', 'w1', 'b1'], outputs: ['y'] },
    ];
    const xDims = [1, 256, 8, 8];
    const feeds = { x: tensor('float32', xDims, r.floats(size(xDims))) };
    const report = await compare([f32('x', xDims)], [out4('y')], nodes, inits, feeds);
    // the split conv's GEMM and sum, the unsplit conv's GEMM: the two GEMMs are one pipeline
    expect(report.dispatches).toBe(3);
    expect(report.pipelines).toBe(2);
  });

  it('clamps after a conv are run data: convs with none, Relu, Relu6 or a one-sided Clip, and depthwise of strides 1 and 2 and narrow rows, share pipelines', async () => {
    const r = rng(47);
    const inits: Record<string, Tensor> = {
      zero: tensor('float32', [], new Float32Array([0])),
      six: tensor('float32', [], new Float32Array([6])),
      lo: tensor('float32', [], new Float32Array([-0.5])),
    };
    const nodes: NodeSpec[] = [];
    const conv = (x: string, y: string, m: number, c: number, k: number, attrs: NodeSpec['attrs'] = {}, group = 1) => {
      inits[`w_${y}`] = tensor('float32', [m, c / group, k, k], r.floats((m * c * k * k) / group));
      inits[`b_${y}`] = tensor('float32', [m], r.floats(m));
      nodes.push({ op: 'Conv', inputs: [x, `w_${y}`, `b_${y}`], outputs: [y], attrs: { ...attrs, group } });
    };
    conv('x', 'a', 16, 12, 1);
    conv('a', 'b0', 20, 16, 1);
    nodes.push({ op: 'Relu', inputs: ['b0'], outputs: ['b'] });
    conv('b', 'c0', 24, 20, 1);
    nodes.push({ op: 'Clip', inputs: ['c0', 'zero', 'six'], outputs: ['c'] });
    conv('c', 'd0', 24, 24, 3, { pads: [1, 1, 1, 1] }, 24);
    nodes.push({ op: 'Clip', inputs: ['d0', 'zero', 'six'], outputs: ['d'] });
    conv('d', 'e', 24, 24, 3, { pads: [1, 1, 1, 1], strides: [2, 2] }, 24);
    // rows 14, 7 (a full block of four and a partial one) and 4 wide: one block width for all
    conv('e', 'e2', 24, 24, 3, { pads: [1, 1, 1, 1], strides: [2, 2] }, 24);
    conv('e2', 'f0', 16, 24, 1);
    nodes.push({ op: 'Clip', inputs: ['f0', 'lo'], outputs: ['y'] });
    const xDims = [1, 12, 16, 14];
    const feeds = { x: tensor('float32', xDims, r.floats(size(xDims), 2)) };
    const report = await compare([f32('x', xDims)], [out4('y')], nodes, inits, feeds);
    expect(report.dispatches).toBe(7);
    // one pointwise GEMM for all four clamps, one depthwise kernel for both strides and every width
    expect(report.pipelines).toBe(2);
  });

  it('Concats of different sizes share one pipeline; implicit-GEMM convs keep one per spatial size', async () => {
    const r = rng(53);
    const w = (m: number, c: number) => tensor('float32', [m, c, 3, 3], r.floats(m * c * 9));
    const inits: Record<string, Tensor> = { w0: w(12, 6), w1: w(12, 6), w2: w(12, 24) };
    const nodes: NodeSpec[] = [
      { op: 'Conv', inputs: ['x', 'w0'], outputs: ['a'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Conv', inputs: ['x', 'w1'], outputs: ['b'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Concat', inputs: ['a', 'b'], outputs: ['ab'], attrs: { axis: 1 } },
      { op: 'MaxPool', inputs: ['ab'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
      { op: 'Conv', inputs: ['p', 'w2'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Concat', inputs: ['c', 'p'], outputs: ['y'], attrs: { axis: 1 } },
    ];
    const xDims = [1, 6, 12, 10];
    const report = await compare([f32('x', xDims)], [out4('y')], nodes, inits, { x: tensor('float32', xDims, r.floats(size(xDims))) });
    expect(report.dispatches).toBe(6);
    // an implicit GEMM per spatial size (as uniforms, its sizes cost ResNet-50's 3×3 convs a
    // quarter more GPU time on the H200), one concat, one max pool
    expect(report.pipelines).toBe(4);
  });

  it('Concats of conv outputs (batch 1, slabs at 256-byte offsets) are written in place by the convs, nested too', async () => {
    const r = rng(59);
    const w = (m: number, c: number, k: number) => tensor('float32', [m, c, k, k], r.floats(m * c * k * k));
    const inits: Record<string, Tensor> = { wa: w(8, 4, 1), wb: w(8, 4, 3), wd: w(4, 4, 3), wc: w(6, 20, 1) };
    const nodes: NodeSpec[] = [
      { op: 'Conv', inputs: ['x', 'wa'], outputs: ['a0'] },
      { op: 'Relu', inputs: ['a0'], outputs: ['a'] },
      { op: 'Conv', inputs: ['x', 'wb'], outputs: ['b'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Conv', inputs: ['x', 'wd'], outputs: ['d'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Concat', inputs: ['a', 'b'], outputs: ['ab'], attrs: { axis: 1 } },
      { op: 'Concat', inputs: ['ab', 'd'], outputs: ['abd'], attrs: { axis: 1 } },
      { op: 'Conv', inputs: ['abd', 'wc'], outputs: ['y'] },
    ];
    const xDims = [1, 4, 8, 8];
    const report = await compare([f32('x', xDims)], [out4('y')], nodes, inits, { x: tensor('float32', xDims, r.floats(size(xDims))) });
    // four convs, no copy
    expect(report.dispatches).toBe(4);
  });

  it('residual Adds fused into pointwise, implicit-GEMM and depthwise conv epilogues, then Relu', async () => {
    const r = rng(43);
    const xDims = [1, 6, 7, 9];
    const inits: Record<string, Tensor> = {
      pw: tensor('float32', [6, 6, 1, 1], r.floats(36)),
      k3: tensor('float32', [6, 6, 3, 3], r.floats(324)),
      kb: tensor('float32', [6], r.floats(6)),
      dw: tensor('float32', [6, 1, 3, 3], r.floats(54)),
    };
    const nodes: NodeSpec[] = [
      { op: 'Conv', inputs: ['x', 'pw'], outputs: ['a'] },
      { op: 'Add', inputs: ['a', 'x'], outputs: ['a2'] },
      { op: 'Conv', inputs: ['a2', 'k3', 'kb'], outputs: ['b'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['x', 'b'], outputs: ['b2'] },
      { op: 'Relu', inputs: ['b2'], outputs: ['b3'] },
      { op: 'Conv', inputs: ['b3', 'dw'], outputs: ['c'], attrs: { group: 6, pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['c', 'a2'], outputs: ['y'] },
    ];
    const feeds = { x: tensor('float32', xDims, r.floats(size(xDims))) };
    const report = await compare([f32('x', xDims)], [out4('y')], nodes, inits, feeds);
    expect(report.dispatches).toBe(3);
  });

  it('squeeze-and-excitation scales fused into pointwise convs: vec4 and scalar loads, split-K, two images, with a residual', async () => {
    const r = rng(47);
    // [N, C, H, W]; P = H·W a multiple of 4 (vec4 loads) or not; the deep one splits K
    for (const [N, C, M, H, W] of [[1, 8, 12, 6, 6], [2, 6, 5, 3, 5], [1, 256, 8, 2, 2]]) {
      const xDims = [N, C, H, W];
      const inits: Record<string, Tensor> = {
        sw: tensor('float32', [C, C, 1, 1], r.floats(C * C)),
        pw: tensor('float32', [M, C, 1, 1], r.floats(M * C)),
        pb: tensor('float32', [M], r.floats(M)),
        res: tensor('float32', [N, M, H, W], r.floats(N * M * H * W)),
      };
      const nodes: NodeSpec[] = [
        { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] },
        { op: 'Conv', inputs: ['g', 'sw'], outputs: ['e'] },
        { op: 'Sigmoid', inputs: ['e'], outputs: ['s'] },
        { op: 'Mul', inputs: ['x', 's'], outputs: ['m'] },
        { op: 'Conv', inputs: ['m', 'pw', 'pb'], outputs: ['c'] },
        { op: 'Add', inputs: ['c', 'res'], outputs: ['y'] },
      ];
      const feeds = { x: tensor('float32', xDims, r.floats(size(xDims))) };
      // the scaled conv is wide enough for tiles only where M > 8: there it also runs with vec4 loads
      for (const gemm of M > 8 ? [undefined, VEC4] : [undefined]) {
        const report = await compare([f32('x', xDims)], [out4('y')], nodes, inits, feeds, undefined, undefined, gemm);
        // pool, squeeze conv (its Sigmoid fused), the scaled conv with its residual: no Mul, no Add
        expect(report.dispatches, `[${xDims}]`).toBe(C === 256 ? 5 : 3);
      }
    }
  });

  it('grouped Conv with dilation and asymmetric pads', async () => {
    await checkConv(7, { N: 1, C: 6, M: 4, H: 10, W: 9, k: 3, group: 2, attrs: { dilations: [2, 1], pads: [1, 0, 2, 1] }, act: 'Sigmoid' });
  });

  it('Gemm with transB, alpha, beta and a broadcast bias; one row as a matrix-vector product', async () => {
    const r = rng(14);
    const [M, K, N] = [r.int(2, 9), r.int(30, 70), r.int(40, 90)];
    await compare(
      [f32('a', [M, K])], [f32('y', [M, N])],
      [{ op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'], attrs: { transB: 1, alpha: 0.5, beta: 2 } }],
      { b: tensor('float32', [N, K], r.floats(N * K)), c: tensor('float32', [N], r.floats(N)) },
      { a: tensor('float32', [M, K], r.floats(M * K)) },
    );
    // one row with B transposed (a fully connected layer at batch 1): a matrix-vector kernel, with
    // alpha, beta, a [1, N] bias and a fused Relu
    const fc: NodeSpec[] = [{ op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['f'], attrs: { transB: 1, alpha: 0.75, beta: 1.5 } }, { op: 'Relu', inputs: ['f'], outputs: ['y'] }];
    const fcInits = { b: tensor('float32', [50, 700], r.floats(35000)), c: tensor('float32', [1, 50], r.floats(50)) };
    await compare([f32('a', [1, 700])], [f32('y', [1, 50])], fc, fcInits, { a: tensor('float32', [1, 700], r.floats(700)) });
    const { model, types } = optimize(importOnnx(buildModel({ inputs: [f32('a', [1, 700])], outputs: [f32('y', [1, 50])], nodes: fc, initializers: fcInits, opset: 18 })), new Map([['a', [1, 700]]]));
    expect(lower(model, types).steps.flatMap((st) => (st.kind === 'gpu' ? st.dispatches.map((d) => d.label) : []))).toEqual(['gemv']);
    // one row, B not transposed, deep K: the tiled GEMM split over K
    await compare(
      [f32('a', [1, 700])], [f32('y', [1, 50])],
      [{ op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'] }],
      { b: tensor('float32', [700, 50], r.floats(35000)), c: tensor('float32', [50], r.floats(50)) },
      { a: tensor('float32', [1, 700], r.floats(700)) },
    );
    // transA, a [M, 1] bias, and sizes past one tile: the default's, and a 64×64 one with vec4 loads of B
    for (const gemm of [undefined, { tileM: 64, tileN: 64, regM: 4, regN: 4, vec4B: true }]) {
      await compare(
        [f32('a', [20, 70])], [f32('y', [70, 68])],
        [{ op: 'Gemm', inputs: ['a', 'b', 'c'], outputs: ['y'], attrs: { transA: 1 } }],
        { b: tensor('float32', [20, 68], r.floats(20 * 68)), c: tensor('float32', [70, 1], r.floats(70)) },
        { a: tensor('float32', [20, 70], r.floats(1400)) }, undefined, undefined, gemm,
      );
    }
  });

  it('batched MatMul with broadcast batch dims, and 1-D operands', async () => {
    const r = rng(15);
    const [M, K, N] = [r.int(3, 20), r.int(5, 40), r.int(3, 30)];
    await compare(
      [f32('a', [2, 3, M, K]), f32('b', [3, K, N])], [f32('y', [2, 3, M, N])],
      [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }], {},
      { a: tensor('float32', [2, 3, M, K], r.floats(6 * M * K)), b: tensor('float32', [3, K, N], r.floats(3 * K * N)) },
    );
    // wide enough for tiles, N a multiple of 4: vec4 loads of B
    await compare(
      [f32('a', [2, 18, 30]), f32('b', [30, 20])], [f32('y', [2, 18, 20])],
      [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }], {},
      { a: tensor('float32', [2, 18, 30], r.floats(2 * 18 * 30)), b: tensor('float32', [30, 20], r.floats(600)) }, undefined, undefined, VEC4,
    );
    await compare(
      [f32('v', [K]), f32('b', [2, K, 8])], [f32('y', [2, 8])],
      [{ op: 'MatMul', inputs: ['v', 'b'], outputs: ['y'] }], {},
      { v: tensor('float32', [K], r.floats(K)), b: tensor('float32', [2, K, 8], r.floats(16 * K)) },
    );
  });

  it('MaxPool (ceil_mode, pads), AveragePool (count_include_pad) and the global pools', async () => {
    const r = rng(16);
    const x = [1, 3, r.int(9, 14), r.int(9, 14)];
    await compare(
      [f32('x', x)], [out4('mp'), out4('ap'), out4('gap'), out4('gmp')],
      [
        { op: 'MaxPool', inputs: ['x'], outputs: ['mp'], attrs: { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 1 } },
        { op: 'AveragePool', inputs: ['x'], outputs: ['ap'], attrs: { kernel_shape: [3, 2], strides: [2, 1], pads: [1, 0, 1, 1], count_include_pad: 1 } },
        { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['gap'] },
        { op: 'GlobalMaxPool', inputs: ['x'], outputs: ['gmp'] },
      ],
      {}, { x: tensor('float32', x, r.floats(size(x), 3)) },
    );
    // a plane larger than one reduction workgroup
    await compare([f32('x', [2, 2, 20, 17])], [out4('y')], [{ op: 'GlobalAveragePool', inputs: ['x'], outputs: ['y'] }], {},
      { x: tensor('float32', [2, 2, 20, 17], r.floats(1360)) });
  });

  it('Resize nearest and linear with constant scales and sizes', async () => {
    const r = rng(17);
    const x = [1, 2, r.int(4, 7), r.int(4, 7)];
    const none = tensor('float32', [0], new Float32Array(0));
    await compare(
      [f32('x', x)], [out4('n'), out4('l'), out4('s')],
      [
        { op: 'Resize', inputs: ['x', '', 'scales'], outputs: ['n'], attrs: { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' } },
        { op: 'Resize', inputs: ['x', 'roi', 'scales'], outputs: ['l'], attrs: { mode: 'linear' } },
        { op: 'Resize', inputs: ['x', 'roi', '', 'sizes'], outputs: ['s'], attrs: { mode: 'linear', coordinate_transformation_mode: 'align_corners' } },
      ],
      {
        scales: tensor('float32', [4], new Float32Array([1, 1, 2, 2])),
        roi: none,
        sizes: tensor('int64', [4], new BigInt64Array([1n, 2n, 5n, 9n])),
      },
      { x: tensor('float32', x, r.floats(size(x))) },
    );
  });
});
