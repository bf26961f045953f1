// WebGPU Attention (opset 23/24), RotaryEmbedding and GridSample kernels checked against the
// reference backend on small seeded-random shapes through Dawn (SwiftShader here: keep shapes
// small). Attention cases cover 3-D and 4-D layouts, grouped-query heads, bool and float masks,
// causality, the KV cache, nonpad_kv_seqlen, every qk_matmul_output mode, and both the workgroup
// and the scratch-buffer score paths.

import { beforeAll, describe, expect, it } from 'vitest';
import { useDawn } from '../../cli/node-gpu';
import { InferenceSession } from '../../runtime/session';
import { tensor, type DType, type Tensor } from '../../runtime/tensor';
import { buildModel, type IO, type NodeSpec } from '../fixtures/onnx-builder';
import { rng } from '../fixtures/rng';

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const io = (name: string, dims: number[], type: DType = 'float32'): IO => ({ name, type, dims });
/** An output whose dims the model leaves symbolic, so shape inference has to find them. */
const sym = (name: string, rank: number): IO => ({ name, type: 'float32', dims: Array.from({ length: rank }, (_, i) => `${name}${i}`) });

/** Runs one node on both backends and compares every output (equal infinities match). */
async function compare(node: NodeSpec, inputs: IO[], outputs: IO[], feeds: Record<string, Tensor>, opset: number, tol = 1e-4): Promise<void> {
  const bytes = buildModel({ inputs, outputs, nodes: [node], opset });
  const gpu = await InferenceSession.create(bytes, { backend: 'webgpu', noFallback: true });
  const ref = await InferenceSession.create(bytes, { backend: 'reference' });
  const [g, r] = [await gpu.run(feeds), await ref.run(feeds)];
  for (const k of Object.keys(r)) {
    expect(g[k].dims, k).toEqual(r[k].dims);
    const a = g[k].data as Float32Array;
    const b = r[k].data as Float32Array;
    let scale = 1e-6;
    for (const v of b) if (Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    let worst = 0;
    for (let i = 0; i < b.length; i++) {
      if (a[i] === b[i]) continue;
      const d = Math.abs(a[i] - b[i]);
      worst = Number.isNaN(d) ? Infinity : Math.max(worst, d);
    }
    expect(worst / scale, `${k}: max abs diff ${worst} at output scale ${scale}`).toBeLessThanOrEqual(tol);
  }
}

interface AttentionCase {
  readonly q: number[];
  readonly k: number[];
  readonly v: number[];
  readonly mask?: { dims: number[]; bool?: boolean };
  readonly past?: { k: number[]; v: number[] };
  readonly nonpad?: number[];
  readonly qk?: boolean;
  readonly attrs?: Record<string, number>;
}

async function checkAttention(seed: number, c: AttentionCase): Promise<void> {
  const f = rng(seed).floats;
  const ins: IO[] = [io('q', c.q), io('k', c.k), io('v', c.v)];
  const feeds: Record<string, Tensor> = {
    q: tensor('float32', c.q, f(size(c.q))),
    k: tensor('float32', c.k, f(size(c.k))),
    v: tensor('float32', c.v, f(size(c.v))),
  };
  const names = ['q', 'k', 'v', '', '', '', ''];
  if (c.mask) {
    const n = size(c.mask.dims);
    if (c.mask.bool) {
      // every row keeps its first key so that partly masked rows stay well defined
      const m = Uint8Array.from(f(n), (x, i) => (x > -0.3 || i % c.mask!.dims[c.mask!.dims.length - 1] === 0 ? 1 : 0));
      feeds.mask = tensor('bool', c.mask.dims, m);
    } else feeds.mask = tensor('float32', c.mask.dims, f(n, 2));
    ins.push(io('mask', c.mask.dims, c.mask.bool ? 'bool' : 'float32'));
    names[3] = 'mask';
  }
  if (c.past) {
    feeds.pk = tensor('float32', c.past.k, f(size(c.past.k)));
    feeds.pv = tensor('float32', c.past.v, f(size(c.past.v)));
    ins.push(io('pk', c.past.k), io('pv', c.past.v));
    names[4] = 'pk';
    names[5] = 'pv';
  }
  if (c.nonpad) {
    feeds.np = tensor('int64', [c.nonpad.length], BigInt64Array.from(c.nonpad.map(BigInt)));
    ins.push(io('np', [c.nonpad.length], 'int64'));
    names[6] = 'np';
  }
  while (names[names.length - 1] === '') names.pop();
  const outs = [sym('y', c.q.length)];
  const outNames = ['y'];
  if (c.past) {
    outs.push(sym('present_k', 4), sym('present_v', 4));
    outNames.push('present_k', 'present_v');
  }
  if (c.qk) {
    while (outNames.length < 3) outNames.push('');
    outs.push(sym('qk', 4));
    outNames.push('qk');
  }
  const node: NodeSpec = { op: 'Attention', inputs: names, outputs: outNames, attrs: c.attrs };
  await compare(node, ins, outs, feeds, c.nonpad ? 24 : 23);
}

beforeAll(async () => {
  await useDawn();
});

describe('webgpu Attention', () => {
  it('4-D grouped-query heads, broadcast float mask, causal, past/present and the qk tap after the mask', async () => {
    await checkAttention(1, {
      q: [2, 6, 3, 8], k: [2, 2, 5, 8], v: [2, 2, 5, 8],
      past: { k: [2, 2, 4, 8], v: [2, 2, 4, 8] },
      mask: { dims: [2, 1, 3, 9] },
      qk: true,
      attrs: { is_causal: 1, qk_matmul_output_mode: 2 },
    });
  });

  it('3-D inputs with V heads of another size, a bool mask shorter than the keys, softcap and the softmax tap', async () => {
    await checkAttention(2, {
      q: [2, 3, 4 * 6], k: [2, 5, 2 * 6], v: [2, 5, 2 * 7],
      mask: { dims: [3, 4], bool: true },
      qk: true,
      attrs: { q_num_heads: 4, kv_num_heads: 2, softcap: 1.5, scale: 0.3, qk_matmul_output_mode: 3 },
    });
    // a 3-D input with a 4-D past cache, qk tap before the mask
    await checkAttention(3, {
      q: [1, 2, 3 * 4], k: [1, 3, 3 * 4], v: [1, 3, 3 * 4],
      past: { k: [1, 3, 2, 4], v: [1, 3, 2, 4] },
      mask: { dims: [1, 3, 2, 5] },
      qk: true,
      attrs: { q_num_heads: 3, kv_num_heads: 3, softcap: 2.5, qk_matmul_output_mode: 1 },
    });
  });

  it('nonpad_kv_seqlen (opset 24), with causal alignment and a fully masked row, and alone', async () => {
    await checkAttention(4, { q: [2, 2, 3, 8], k: [2, 1, 6, 8], v: [2, 1, 6, 8], nonpad: [5, 2], attrs: { is_causal: 1 } });
    // without causality the padding mask alone hides the keys past each batch's length
    await checkAttention(13, { q: [2, 2, 3, 8], k: [2, 2, 6, 8], v: [2, 2, 6, 8], nonpad: [4, 6], mask: { dims: [2, 2, 3, 6] } });
  });

  it('many keys (scores in a scratch buffer) and wide V heads (no partial sums)', async () => {
    await checkAttention(5, { q: [1, 1, 2, 4], k: [1, 1, 3500, 4], v: [1, 1, 3500, 3], mask: { dims: [2, 3500] } });
    await checkAttention(6, { q: [1, 2, 3, 5], k: [1, 1, 7, 5], v: [1, 1, 7, 300], attrs: { is_causal: 1 } });
  });
});

describe('webgpu RotaryEmbedding', () => {
  it('4-D without position ids, halves', async () => {
    const f = rng(7).floats;
    const x = [2, 3, 4, 10];
    await compare(
      { op: 'RotaryEmbedding', inputs: ['x', 'cos', 'sin'], outputs: ['y'] },
      [io('x', x), io('cos', [2, 4, 5]), io('sin', [2, 4, 5])], [sym('y', 4)],
      { x: tensor('float32', x, f(size(x))), cos: tensor('float32', [2, 4, 5], f(40)), sin: tensor('float32', [2, 4, 5], f(40)) }, 23,
    );
  });

  it('3-D with position ids, interleaved, partial rotary_embedding_dim', async () => {
    const f = rng(8).floats;
    const x = [2, 3, 2 * 8];
    await compare(
      { op: 'RotaryEmbedding', inputs: ['x', 'cos', 'sin', 'pos'], outputs: ['y'], attrs: { num_heads: 2, interleaved: 1, rotary_embedding_dim: 6 } },
      [io('x', x), io('cos', [10, 3]), io('sin', [10, 3]), io('pos', [2, 3], 'int64')], [sym('y', 3)],
      {
        x: tensor('float32', x, f(size(x))), cos: tensor('float32', [10, 3], f(30)), sin: tensor('float32', [10, 3], f(30)),
        pos: tensor('int64', [2, 3], new BigInt64Array([0n, 4n, 9n, 2n, 2n, 7n])),
      }, 23,
    );
  });
});

describe('webgpu GridSample', () => {
  /** Grid points spread a bit past [-1, 1] so every padding mode matters. */
  const grid = (seed: number, dims: number[]) => tensor('float32', dims, rng(seed).floats(size(dims), 1.3));

  it('2-D bicubic with reflection padding, bilinear with zeros, nearest with border', async () => {
    const x = [2, 3, 5, 4];
    const g = [2, 3, 6, 2];
    const feeds = { x: tensor('float32', x, rng(9).floats(size(x))), g: grid(10, g) };
    for (const [mode, padding_mode, align_corners] of [['cubic', 'reflection', 0], ['linear', 'zeros', 1], ['nearest', 'border', 0], ['nearest', 'reflection', 1]] as const) {
      await compare(
        { op: 'GridSample', inputs: ['x', 'g'], outputs: ['y'], attrs: { mode, padding_mode, align_corners } },
        [io('x', x), io('g', g)], [sym('y', 4)], feeds, 22,
      );
    }
  });

  it('3-D (volumetric) linear with border padding', async () => {
    const x = [1, 2, 3, 4, 5];
    const g = [1, 2, 3, 4, 3];
    await compare(
      { op: 'GridSample', inputs: ['x', 'g'], outputs: ['y'], attrs: { mode: 'linear', padding_mode: 'border' } },
      [io('x', x), io('g', g)], [sym('y', 5)], { x: tensor('float32', x, rng(11).floats(size(x))), g: grid(12, g) }, 22,
    );
  });
});
