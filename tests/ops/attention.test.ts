// Direct unit tests of the attention family's reference kernels on tiny hand-checked cases (the
// ONNX node tests cover the rest).
import { describe, it, expect } from 'vitest';
import type { AttrValue } from '../../runtime/ir/graph';
import { attentionOps } from '../../runtime/ops/attention';
import { Attrs, type RunContext } from '../../runtime/ops/spec';
import { tensor, toNumbers, type Tensor } from '../../runtime/tensor';

type Attr = number | string;

/** Runs one op of the family with plain attributes at `opset`. */
function run(op: string, inputs: (Tensor | undefined)[], attrs: Record<string, Attr> = {}, opset = 24): Tensor[] {
  const spec = attentionOps.find((s) => s.op === op);
  if (!spec?.run) throw new Error(`no kernel for ${op}`);
  const map = new Map<string, AttrValue>(
    Object.entries(attrs).map(([k, v]): [string, AttrValue] =>
      typeof v === 'string' ? [k, { kind: 'string', value: v }]
        : [k, Number.isInteger(v) ? { kind: 'int', value: v } : { kind: 'float', value: v }]),
  );
  const ctx: RunContext = { opset, numOutputs: 4, runGraph: () => [] };
  return spec.run(inputs, spec.attrs(new Attrs(op, map), opset), ctx);
}

const f32 = (dims: number[], v: number[]) => tensor('float32', dims, new Float32Array(v));
const nums = (t: Tensor) => Array.from(toNumbers(t));

/** softmax(q·Kᵀ·scale)·V for one query row, in plain JS. */
function sdpaRow(q: number[], keys: number[][], values: number[][], scale: number): number[] {
  const s = keys.map((k) => k.reduce((acc, kc, c) => acc + kc * q[c], 0) * scale);
  const m = Math.max(...s);
  const e = s.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return values[0].map((_, c) => values.reduce((acc, v, j) => acc + (e[j] / z) * v[c], 0));
}

describe('Attention', () => {
  const q = [[1, 0], [0, 1]];
  const k = [[1, 1], [2, -1], [0, 3]];
  const v = [[1, 2], [3, 4], [5, 6]];
  const Q = f32([1, 1, 2, 2], q.flat()), K = f32([1, 1, 3, 2], k.flat()), V = f32([1, 1, 3, 2], v.flat());

  it('equals softmax(QKᵀ/√d)·V', () => {
    const [y, presentK, presentV, qk] = run('Attention', [Q, K, V]);
    expect(y.dims).toEqual([1, 1, 2, 2]);
    const want = q.flatMap((row) => sdpaRow(row, k, v, 1 / Math.SQRT2));
    nums(y).forEach((x, i) => expect(x).toBeCloseTo(want[i], 5));
    expect(nums(presentK)).toEqual(k.flat());
    expect(nums(presentV)).toEqual(v.flat());
    expect(qk.dims).toEqual([1, 1, 2, 3]);
    expect(nums(qk)[1]).toBeCloseTo(2 / Math.SQRT2, 5); // q0·k1 / √2
  });

  it('is_causal lets query i see keys j <= i only (offset by the past length)', () => {
    const [y] = run('Attention', [Q, f32([1, 1, 2, 2], k.slice(0, 2).flat()), f32([1, 1, 2, 2], v.slice(0, 2).flat())], { is_causal: 1 });
    expect(nums(y).slice(0, 2)).toEqual(v[0]); // the first query sees only the first key
    // with a past of one key, query 0 sees two keys
    const [y2, pk] = run('Attention', [f32([1, 1, 1, 2], q[0]), f32([1, 1, 1, 2], k[1]), f32([1, 1, 1, 2], v[1]),
      undefined, f32([1, 1, 1, 2], k[0]), f32([1, 1, 1, 2], v[0])], { is_causal: 1 });
    expect(pk.dims).toEqual([1, 1, 2, 2]);
    const want = sdpaRow(q[0], k.slice(0, 2), v.slice(0, 2), 1 / Math.SQRT2);
    nums(y2).forEach((x, i) => expect(x).toBeCloseTo(want[i], 5));
  });

  it('a boolean mask removes keys; a fully masked row gives zeros, not NaN', () => {
    const mask = tensor('bool', [2, 3], Uint8Array.from([1, 0, 1, 0, 0, 0]));
    const [y] = run('Attention', [Q, K, V, mask]);
    const want = sdpaRow(q[0], [k[0], k[2]], [v[0], v[2]], 1 / Math.SQRT2);
    expect(nums(y)[0]).toBeCloseTo(want[0], 5);
    expect(nums(y).slice(2)).toEqual([0, 0]);
  });

  it('3-D inputs split heads from the hidden axis and grouped heads share a kv head', () => {
    // 2 query heads over 1 kv head: both heads attend over the same single key, so Y = V for each
    const [y] = run('Attention', [f32([1, 1, 4], [1, 2, 3, 4]), f32([1, 1, 2], [1, 1]), f32([1, 1, 2], [7, 8])],
      { q_num_heads: 2, kv_num_heads: 1 });
    expect(y.dims).toEqual([1, 1, 4]);
    expect(nums(y)).toEqual([7, 8, 7, 8]);
  });
});

describe('RMSNormalization', () => {
  it('divides by the root mean square over the trailing axes and scales', () => {
    const [y] = run('RMSNormalization', [f32([2, 2], [3, 4, 1, 1]), f32([2], [1, 2])], { axis: -1, epsilon: 0 }, 23);
    const r = Math.sqrt(12.5);
    const want = [3 / r, (4 / r) * 2, 1, 2];
    nums(y).forEach((x, i) => expect(x).toBeCloseTo(want[i], 5));
  });
});

describe('RotaryEmbedding', () => {
  it('rotates each (x[i], x[i + d/2]) pair by the cached angle', () => {
    const a = Math.PI / 2; // cos 0, sin 1: (x1, x2) → (−x2, x1)
    const [y] = run('RotaryEmbedding', [f32([1, 1, 1, 2], [1, 5]), f32([1, 1], [Math.cos(a)]), f32([1, 1], [Math.sin(a)]),
      tensor('int64', [1, 1], BigInt64Array.of(0n))], {}, 23);
    nums(y).forEach((x, i) => expect(x).toBeCloseTo([-5, 1][i], 5));
  });
});

describe('LinearAttention and CausalConvWithState', () => {
  it('linear rule accumulates k⊗v and reads it with q', () => {
    const [y, s] = run('LinearAttention', [f32([1, 2, 1], [1, 1]), f32([1, 2, 1], [2, 3]), f32([1, 2, 1], [5, 7])],
      { q_num_heads: 1, kv_num_heads: 1, update_rule: 'linear', scale: 1 }, 27);
    expect(nums(y)).toEqual([10, 31]); // 2·5, then 2·5 + 3·7
    expect(nums(s)).toEqual([31]);
  });

  it('causal conv prepends the past state and returns the last K-1 inputs as the new state', () => {
    const [y, st] = run('CausalConvWithState', [f32([1, 1, 3], [1, 2, 3]), f32([1, 1, 2], [10, 1]), undefined, f32([1, 1, 1], [4])], {}, 27);
    expect(nums(y)).toEqual([41, 12, 23]);
    expect(nums(st)).toEqual([3]);
  });
});
