// The geometry of an ONNX Attention node as its WebGPU kernels see it: head counts, sequence and
// head sizes, whether each of Q/K/V is 3-D ([B, S, H*D]) or 4-D ([B, H, S, D]), the past cache
// length, and WGSL for the flat offset of element (b, h, s, c) in either layout.

import type { AttentionAttrs } from '../../../ops/attention/attention';
import type { LowerArgs } from '../kernel';
import { isF32 } from './conv-common';

export type { AttentionAttrs };

/** A [B, H, S, D] view of one of Q, K, V: `three` when it is stored [B, S, H*D]. */
export interface HeadLayout {
  readonly heads: number;
  readonly seq: number;
  readonly size: number;
  readonly three: boolean;
}

export interface AttentionGeometry {
  readonly batch: number;
  readonly q: HeadLayout;
  readonly k: HeadLayout;
  readonly v: HeadLayout;
  /** past cache length (0 without past_key/past_value) */
  readonly past: number;
  /** total key length: past + new */
  readonly total: number;
  /** query heads per kv head */
  readonly group: number;
}

/** WGSL of the flat offset of (b, h, s, c) in a tensor of this layout (arguments are WGSL u32). */
export function headOffset(l: HeadLayout, b: string, h: string, s: string, c: string): string {
  return l.three
    ? `(((${b}) * ${l.seq}u + (${s})) * ${l.heads}u + (${h})) * ${l.size}u + (${c})`
    : `(((${b}) * ${l.heads}u + (${h})) * ${l.seq}u + (${s})) * ${l.size}u + (${c})`;
}

/** Distance between consecutive sequence positions of one head. */
export const seqStride = (l: HeadLayout): number => (l.three ? l.heads * l.size : l.size);

function layoutOf(dims: readonly number[], heads: number | undefined): HeadLayout | string {
  if (dims.length === 4) return { heads: dims[1], seq: dims[2], size: dims[3], three: false };
  if (dims.length !== 3) return `inputs must be 3-D or 4-D, got [${dims.join(',')}]`;
  if (!heads || dims[2] % heads !== 0) return 'a 3-D input needs q_num_heads/kv_num_heads dividing its hidden size';
  return { heads, seq: dims[1], size: dims[2] / heads, three: true };
}

/** The geometry of the node, or why the GPU kernels cannot run it. */
export function attentionGeometry({ attrs, inputs }: LowerArgs<AttentionAttrs>): AttentionGeometry | string {
  const [qd, kd, vd, mask, pk, pv, nonpad] = inputs;
  if (!qd || !kd || !vd) return 'Q, K and V are required';
  if (![qd, kd, vd, pk, pv].every((t) => !t || isF32(t))) return `no GPU kernel for ${qd.dtype} inputs`;
  if (qd.dims.length !== kd.dims.length || qd.dims.length !== vd.dims.length) return 'Q, K and V must have the same rank';
  if (!!pk !== !!pv) return 'past_key and past_value come together';
  if (mask && mask.dtype !== 'bool' && !isF32(mask)) return `no GPU kernel for a ${mask.dtype} attn_mask`;
  if (mask && (mask.dims.length < 2 || mask.dims.length > 4)) return 'attn_mask must have rank 2 to 4';
  if (nonpad && nonpad.dtype !== 'int64' && nonpad.dtype !== 'int32') return 'nonpad_kv_seqlen must be an integer tensor';
  const q = layoutOf(qd.dims, attrs.qHeads);
  const k = layoutOf(kd.dims, attrs.kvHeads);
  const v = layoutOf(vd.dims, attrs.kvHeads);
  if (typeof q === 'string') return q;
  if (typeof k === 'string') return k;
  if (typeof v === 'string') return v;
  const batch = qd.dims[0];
  if (kd.dims[0] !== batch || vd.dims[0] !== batch) return 'Q, K and V disagree in batch';
  if (k.size !== q.size) return 'Q and K head sizes differ';
  if (k.heads !== v.heads || k.seq !== v.seq) return 'K and V disagree in heads or sequence length';
  if (k.heads === 0 || q.heads % k.heads !== 0) return `q heads ${q.heads} are not a multiple of kv heads ${k.heads}`;
  const past = pk ? pk.dims[2] : 0;
  if (pk && pv) {
    const ok = (p: readonly number[], l: HeadLayout) => p.length === 4 && p[0] === batch && p[1] === l.heads && p[3] === l.size;
    if (!ok(pk.dims, k) || !ok(pv.dims, v) || pv.dims[2] !== past) return 'past cache does not match K/V';
  }
  const total = past + k.seq;
  if (mask && mask.dims[mask.dims.length - 1] > total) return 'attn_mask is longer than the key sequence';
  return { batch, q, k, v, past, total, group: q.heads / k.heads };
}
