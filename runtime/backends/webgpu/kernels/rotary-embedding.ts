// RotaryEmbedding (opset 23): one invocation per output element rotates its pair of the first
// rotary_embedding_dim features of a head (halves, or interleaved pairs) by the cos/sin cache row
// that position_ids (or the batch and sequence position) selects; features past it are copied.
// The oracle is runtime/ops/attention/rotary.ts.

import type { Binding, KernelGenerator } from '../kernel';
import { unsupported } from '../kernel';
import { declareBuffers, flatMain, grid1d, type BufferDecl } from '../wgsl';
import { isF32, prod } from './conv-common';

interface RotaryAttrs {
  readonly interleaved: boolean;
  readonly numHeads: number;
  readonly rotaryDim: number;
}

export const rotaryEmbeddingKernel: KernelGenerator<RotaryAttrs> = ({ attrs, inputs }) => {
  const [x, cos, sin, pos] = inputs;
  if (!x || !cos || !sin || !isF32(x) || !isF32(cos) || !isF32(sin)) return unsupported(`no GPU kernel for ${x?.dtype} inputs`);
  if (pos && pos.dtype !== 'int64' && pos.dtype !== 'int32') return unsupported('position_ids must be an integer tensor');
  let b: number, h: number, s: number, d: number;
  // element (b, h, s, k) lives at b·(h·s·d) + h·hStride + s·sStride + k
  let sStride: number;
  if (x.dims.length === 4) {
    [b, h, s, d] = x.dims;
    sStride = d;
  } else if (x.dims.length === 3) {
    if (!attrs.numHeads || x.dims[2] % attrs.numHeads !== 0) return unsupported('3-D input needs num_heads dividing its hidden size');
    h = attrs.numHeads;
    [b, s] = x.dims;
    d = x.dims[2] / h;
    sStride = h * d;
  } else return unsupported(`input must be 3-D or 4-D, got [${x.dims.join(',')}]`);
  const n = prod(x.dims);
  if (n === 0) return { kind: 'dispatch', dispatches: [] };
  const rot = attrs.rotaryDim || d;
  const half = rot / 2;
  if (rot > d || rot % 2 !== 0) return unsupported(`rotary_embedding_dim ${rot} does not fit head size ${d}`);
  const width = cos.dims[cos.dims.length - 1];
  if (width < half) return unsupported(`cos_cache width ${width} is below rotary_dim/2 = ${half}`);

  const buffers: BufferDecl[] = [
    { name: 'k_x', type: 'f32', access: 'read' },
    { name: 'k_cos', type: 'f32', access: 'read' },
    { name: 'k_sin', type: 'f32', access: 'read' },
  ];
  const bindings: Binding[] = [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }, { kind: 'input', index: 2 }];
  if (pos) {
    buffers.push({ name: 'k_pos', type: 'i32', access: 'read' });
    bindings.push({ kind: 'input', index: 3 });
  }
  buffers.push({ name: 'k_y', type: 'f32', access: 'read_write' });
  bindings.push({ kind: 'output', index: 0 });
  // the cache row: position_ids[b, s] (or [s]) into a [max_pos, w] cache, else the [B, S, w] cache row
  const row = pos ? `u32(k_pos[${prod(pos.dims) === s ? 'k_s' : `k_b * ${s}u + k_s`}])` : `k_b * ${s}u + k_s`;
  // features k1 < k2 of one pair: y[k1] = c·x1 − s·x2, y[k2] = s·x1 + c·x2
  const pair = attrs.interleaved
    ? `let k_f = k_k / 2u; let k_second = (k_k & 1u) == 1u; let k_k1 = k_k & ~1u; let k_k2 = k_k1 + 1u;`
    : `let k_second = k_k >= ${half}u; let k_f = select(k_k, k_k - ${half}u, k_second); let k_k1 = k_f; let k_k2 = k_f + ${half}u;`;
  const body = `  let k_k = idx % ${d}u;
  if (k_k >= ${rot}u) { k_y[idx] = k_x[idx]; return; }
  let k_b = idx / ${h * s * d}u;
  let k_rest = idx - k_b * ${h * s * d}u;
  let k_s = k_rest / ${sStride}u % ${s}u;
  let k_base = idx - k_k;
  ${pair}
  let k_r = (${row}) * ${width}u + k_f;
  let k_c = k_cos[k_r];
  let k_sn = k_sin[k_r];
  let k_x1 = k_x[k_base + k_k1];
  let k_x2 = k_x[k_base + k_k2];
  k_y[idx] = select(k_c * k_x1 - k_sn * k_x2, k_sn * k_x1 + k_c * k_x2, k_second);`;
  return {
    kind: 'dispatch',
    dispatches: [{ wgsl: `${declareBuffers(buffers)}\n${flatMain(n, body)}`, workgroups: grid1d(n), bindings, label: 'rotary_embedding' }],
  };
};

export const rotaryKernels: Record<string, KernelGenerator> = {
  RotaryEmbedding: rotaryEmbeddingKernel as KernelGenerator,
};
