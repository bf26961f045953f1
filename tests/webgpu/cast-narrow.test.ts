// WebGPU Cast, QuantizeLinear and DequantizeLinear for the narrow types (float8 in four flavours,
// float8e8m0, float4e2m1, int4/int2/uint4/uint2) against the reference executor, bit for bit, on
// edge values: NaN, ±inf, ±0, max finite, subnormals, every tie and its neighbours; and other
// kernels refusing those types rather than computing on their bits.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDawn } from '../../cli/node-gpu';
import { CODE_BY_DTYPE } from '../../runtime/dtype-codes';
import { miniFloatTable, type MiniFloatType } from '../../runtime/float8';
import { InferenceSession } from '../../runtime/session';
import { tensor, type DType, type Tensor, type TypedArray } from '../../runtime/tensor';
import { buildModel, type IO, type NodeSpec } from '../fixtures/onnx-builder';

const FLOAT8: MiniFloatType[] = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float4e2m1'];
const NARROW_INTS: DType[] = ['int4', 'uint4', 'int2', 'uint2'];

/** Runs on the GPU (no CPU fallback) and on the reference; returns [name, gpu, reference] per output. */
async function both(bytes: Uint8Array, feeds: Record<string, Tensor>): Promise<[string, Tensor, Tensor][]> {
  const gpu = await InferenceSession.create(bytes, { backend: 'webgpu', noFallback: true });
  const ref = await InferenceSession.create(bytes, { backend: 'reference' });
  const [g, r] = [await gpu.run(feeds), await ref.run(feeds)];
  return Object.keys(r).map((k) => [k, g[k], r[k]]);
}

/** The raw storage of a tensor as integers (float32 as its bits), so NaNs and signed zeros compare. */
function bits(t: Tensor): number[] {
  const d = t.data as TypedArray;
  if (d instanceof Float32Array) return Array.from(new Uint32Array(d.buffer, d.byteOffset, d.length));
  return Array.from(d as ArrayLike<number>, Number);
}

function expectSameBits(out: [string, Tensor, Tensor][], input: ArrayLike<number>): void {
  for (const [name, g, r] of out) {
    expect(g.type, name).toBe(r.type);
    const [a, b] = [bits(g), bits(r)];
    const bad = b.findIndex((v, i) => v !== a[i]);
    expect(bad, bad < 0 ? name : `${name}[${bad}]: input ${input[bad]} gave ${a[bad]}, reference ${b[bad]}`).toBe(-1);
  }
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float32 one ulp away from `v` in magnitude (dir +1 away from zero, -1 toward). */
function ulpStep(v: number, dir: number): number {
  f32[0] = v;
  u32[0] += dir;
  return f32[0];
}

/**
 * Float32 values at every edge of every narrow float: each representable value, each midpoint
 * between neighbours (a tie) and the floats next to it, the overflow threshold and beyond, both
 * signs; plus f32 specials and subnormals.
 */
function edgeValues(): Float32Array {
  const v: number[] = [0, -0, NaN, Infinity, -Infinity, 3.4028234663852886e38, 1e-40, 2 ** -149, 2 ** -126, 2 ** -127, 1.5 * 2 ** -127, 1e10, 2 ** 31, 16777217];
  for (const t of [...FLOAT8, 'float8e8m0' as const]) {
    const tab = miniFloatTable(t).slice(0, t === 'float4e2m1' ? 16 : 256);
    const finite = [...new Set(Array.from(tab).filter((x) => Number.isFinite(x) && x >= 0))].sort((a, b) => a - b);
    const last = finite[finite.length - 1];
    const gap = last - finite[finite.length - 2];
    const points = [...finite, last + gap / 2, last + gap, 2 * last];
    for (let i = 0; i < points.length - 1; i++) {
      const mid = Math.fround((points[i] + points[i + 1]) / 2);
      v.push(points[i], mid, ulpStep(mid, 1), ulpStep(mid, -1));
    }
  }
  return Float32Array.from([...v, ...v.map((x) => -x)]);
}

/** One Cast per target from input `x`, as `c0`, `c1`, … */
function castModel(from: DType, n: number, targets: { to: DType; attrs?: Record<string, number | string> }[]): Uint8Array {
  return buildModel({
    inputs: [{ name: 'x', type: from, dims: [n] }],
    outputs: targets.map((t, i): IO => ({ name: `c${i}`, type: t.to, dims: [n] })),
    nodes: targets.map((t, i): NodeSpec => ({ op: 'Cast', inputs: ['x'], outputs: [`c${i}`], attrs: { to: CODE_BY_DTYPE[t.to], ...t.attrs } })),
    opset: 23,
  });
}

/** Dawn runs on SwiftShader here, on a shared CPU: generous limits for the sweeping tests. */
const SLOW = 60_000;

beforeAll(async () => {
  await useDawn();
});

describe('webgpu casts into and out of the narrow types', () => {
  it('rounds float32 into every float8 flavour and float4e2m1, saturating and not, as the reference', async () => {
    const x = edgeValues();
    const targets = FLOAT8.flatMap((to) => [{ to }, { to, attrs: { saturate: 0 } }]);
    expectSameBits(await both(castModel('float32', x.length, targets), { x: tensor('float32', [x.length], x) }), x);
  }, SLOW);

  it('rounds float32 into float8e8m0 in every round_mode, saturating and not', async () => {
    const x = edgeValues();
    const targets = ['up', 'down', 'nearest'].flatMap((mode) => [0, 1].map((saturate) => ({ to: 'float8e8m0' as DType, attrs: { round_mode: mode, saturate } })));
    expectSameBits(await both(castModel('float32', x.length, targets), { x: tensor('float32', [x.length], x) }), x);
  }, SLOW);

  it('casts every float16 bit pattern into the narrow floats and ints', async () => {
    const h = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const targets = [...FLOAT8.map((to) => ({ to, attrs: { saturate: 0 } })), { to: 'float8e8m0' as DType }, ...NARROW_INTS.map((to) => ({ to }))];
    expectSameBits(await both(castModel('float16', h.length, targets), { x: tensor('float16', [h.length], h) }), h);
  }, SLOW);

  it('decodes every bit pattern of every narrow float exactly (float32, float16, bfloat16, int8, bool, another float8)', async () => {
    for (const t of [...FLOAT8, 'float8e8m0' as const]) {
      const n = t === 'float4e2m1' ? 16 : 256;
      const x = Uint8Array.from({ length: n }, (_, i) => i);
      const targets: { to: DType }[] = [{ to: 'float32' }, { to: 'float16' }, { to: 'bfloat16' }, { to: 'int8' }, { to: 'bool' }, { to: t === 'float8e5m2' ? 'float8e4m3fn' : 'float8e5m2' }];
      expectSameBits(await both(castModel(t, n, targets), { x: tensor(t, [n], x) }), x);
    }
  }, SLOW);

  it('wraps into int4/uint4/int2/uint2 like the reference and widens them back', async () => {
    const x = Float32Array.from([0, -0, 0.9, -0.9, 1.5, -2.5, 7, 7.9, 8, -8, -9, 15, 16, 17, 100.7, -100.7, 1e10, -1e10, 2 ** 31, -(2 ** 31), 3e38, NaN, Infinity, -Infinity]);
    expectSameBits(await both(castModel('float32', x.length, NARROW_INTS.map((to) => ({ to }))), { x: tensor('float32', [x.length], x) }), x);
    const i = Int32Array.from([0, 1, -1, 7, 8, -8, -9, 15, 16, 255, -255, 2147483647, -2147483648]);
    expectSameBits(await both(castModel('int32', i.length, NARROW_INTS.map((to) => ({ to }))), { x: tensor('int32', [i.length], i) }), i);
    for (const t of NARROW_INTS) {
      const signed = t.startsWith('int');
      const span = t.endsWith('4') ? 16 : 4;
      const v = Array.from({ length: span }, (_, k) => (signed ? k - span / 2 : k));
      const data = signed ? Int8Array.from(v) : Uint8Array.from(v);
      const targets: { to: DType }[] = [{ to: 'float32' }, { to: 'float16' }, { to: signed ? 'int8' : 'uint8' }, { to: 'float8e4m3fn' }, { to: 'bool' }];
      expectSameBits(await both(castModel(t, span, targets), { x: tensor(t, [span], data) }), v);
    }
  }, SLOW);

  it('casts integers into the narrow floats exactly, e8m0 past 2^24 included', async () => {
    const i = Int32Array.from([0, 1, -1, 3, 448, 449, 464, 465, -57344, 61440, 16777216, 16777217, 25165823, 25165824, 1073741825, 2147483647, -2147483648, -3]);
    const targets = [...FLOAT8.map((to) => ({ to })), ...['up', 'down', 'nearest'].map((m) => ({ to: 'float8e8m0' as DType, attrs: { round_mode: m } }))];
    expectSameBits(await both(castModel('int32', i.length, targets), { x: tensor('int32', [i.length], i) }), i);
    const u = Uint32Array.from([0, 1, 2, 3, 4294967295, 2147483648, 3221225472, 3221225471, 16777217]);
    expectSameBits(await both(castModel('uint32', u.length, targets), { x: tensor('uint32', [u.length], u) }), u);
  }, SLOW);
});

describe('webgpu QuantizeLinear and DequantizeLinear with the narrow types', () => {
  function quantModel(op: string, x: IO, scale: Tensor, zp: Tensor, outType: DType, attrs: Record<string, number> = {}): Uint8Array {
    return buildModel({
      inputs: [x, { name: 's', type: scale.type, dims: [...scale.dims] }, { name: 'z', type: zp.type, dims: [...zp.dims] }],
      outputs: [{ name: 'y', type: outType, dims: x.dims }],
      nodes: [{ op, inputs: ['x', 's', 'z'], outputs: ['y'], attrs }],
      opset: 23,
    });
  }

  it('quantizes to float8/float4 with a non-zero zero point: the exact sum decides ties', async () => {
    // x / 2 lands next to ties of every flavour; adding 2^-k zero points makes the f32 sum inexact
    const x = Float32Array.from(Array.from(edgeValues()).map((v) => v * 2));
    const s = tensor('float32', [], Float32Array.of(2));
    for (const t of FLOAT8) {
      const zps = t === 'float4e2m1' ? [0, 1, 0x9] : [0, 1, 0x81, 0x38, 0x5a];
      const cases = zps.flatMap((z) => [0, 1].map((saturate) => ({ z, saturate })));
      const bytes = buildModel({
        inputs: [{ name: 'x', type: 'float32', dims: [x.length] }, { name: 's', type: 'float32', dims: [] }, ...zps.map((_, i): IO => ({ name: `z${i}`, type: t, dims: [] }))],
        outputs: cases.map((_, i): IO => ({ name: `y${i}`, type: t, dims: [x.length] })),
        nodes: cases.map((c, i): NodeSpec => ({ op: 'QuantizeLinear', inputs: ['x', 's', `z${zps.indexOf(c.z)}`], outputs: [`y${i}`], attrs: { saturate: c.saturate } })),
        opset: 23,
      });
      const feeds: Record<string, Tensor> = { x: tensor('float32', [x.length], x), s };
      zps.forEach((z, i) => (feeds[`z${i}`] = tensor(t, [], Uint8Array.of(z))));
      expectSameBits(await both(bytes, feeds), x);
    }
  }, SLOW);

  it('quantizes to int4/uint4/int2/uint2 per axis (round half to even, clamp, NaN → 0)', async () => {
    const x = Float32Array.from([0, 2.5, 4.8, 8.6, -30, -20, 6, 9, 12, 15, 16, NaN, -1, 1, 3, -3]);
    const s = tensor('float32', [4], Float32Array.from([2, 3, 4, 0.5]));
    for (const t of NARROW_INTS) {
      const signed = t.startsWith('int');
      const zp = tensor(t, [4], signed ? Int8Array.from([1, 0, -1, 0]) : Uint8Array.from([1, 0, 2, 0]));
      const bytes = quantModel('QuantizeLinear', { name: 'x', type: 'float32', dims: [4, 4] }, s, zp, t, { axis: 0 });
      expectSameBits(await both(bytes, { x: tensor('float32', [4, 4], x), s, z: zp }), x);
    }
  }, SLOW);

  it('dequantizes every narrow float and narrow int pattern with a zero point', async () => {
    const s = tensor('float32', [], Float32Array.of(0.375));
    for (const t of [...FLOAT8, ...NARROW_INTS]) {
      const n = t === 'float4e2m1' || t.endsWith('4') ? 16 : t.endsWith('2') ? 4 : 256;
      const v = Array.from({ length: n }, (_, k) => (t === 'int4' || t === 'int2' ? k - n / 2 : k));
      const data = t === 'int4' || t === 'int2' ? Int8Array.from(v) : Uint8Array.from(v);
      const zp = tensor(t, [], t === 'int4' || t === 'int2' ? Int8Array.of(-1) : Uint8Array.of(1));
      const bytes = quantModel('DequantizeLinear', { name: 'x', type: t, dims: [n] }, s, zp, 'float32');
      expectSameBits(await both(bytes, { x: tensor(t, [n], data), s, z: zp }), v);
    }
  }, SLOW);
});

describe('other webgpu kernels and the narrow types', () => {
  const bytes = buildModel({
    inputs: [{ name: 'x', type: 'float32', dims: [2, 3] }],
    outputs: [{ name: 'y', type: 'float32', dims: [3, 2] }],
    nodes: [
      { op: 'Cast', inputs: ['x'], outputs: ['q'], attrs: { to: CODE_BY_DTYPE.float8e4m3fn } },
      { op: 'Transpose', inputs: ['q'], outputs: ['t'], attrs: { perm: [1, 0] } },
      { op: 'Cast', inputs: ['t'], outputs: ['y'], attrs: { to: CODE_BY_DTYPE.float32 } },
    ],
    opset: 23,
  });
  const x = tensor('float32', [2, 3], Float32Array.from([0.3, -1000, NaN, 17, -0.001, 2]));

  it('refuse them rather than compute on their bits', async () => {
    await expect(InferenceSession.create(bytes, { backend: 'webgpu', noFallback: true })).rejects.toThrow(/Transpose has no GPU kernel for float8e4m3fn/);
  });

  it('leave string casts to the CPU, saying why', async () => {
    const toString = buildModel({
      inputs: [{ name: 'x', type: 'float32', dims: [2] }],
      outputs: [{ name: 's', type: 'string', dims: [2] }],
      nodes: [{ op: 'Cast', inputs: ['x'], outputs: ['s'], attrs: { to: CODE_BY_DTYPE.string } }],
    });
    await expect(InferenceSession.create(toString, { backend: 'webgpu', noFallback: true })).rejects.toThrow(/'s' is a string tensor: strings cannot live on the GPU/);
  });

  it('hand them to the CPU and back exactly when falling back', async () => {
    const gpu = await InferenceSession.create(bytes, { backend: 'webgpu' });
    const ref = await InferenceSession.create(bytes, { backend: 'reference' });
    expect(bits((await gpu.run({ x })).y)).toEqual(bits((await ref.run({ x })).y));
  });
});
