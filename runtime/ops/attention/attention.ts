// Attention (opset 23/24): scaled dot-product attention over 3-D ([B, S, H*D]) or 4-D
// ([B, H, S, D]) inputs with optional mask, causal masking, KV cache (past/present), grouped
// query heads, softcap and the qk_matmul_output tap. Follows onnx/reference/ops/op_attention.py.

import type { Dim, TensorType } from '../../ir/graph';
import { fromNumbers, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { probsTimesV, qkScores } from './sdpa';
import { broadcastTo, need, needFloat, softmaxRow, tensorType } from './util';

/** The parsed attributes of an Attention node, as the backends' kernels read them too. */
export interface AttentionAttrs {
  readonly isCausal: boolean;
  readonly qHeads: number | undefined;
  readonly kvHeads: number | undefined;
  /** 0 and 1: scale·Q·Kᵀ after softcap (as the ONNX reference does), 2: plus the mask, 3: after softmax */
  readonly qkMode: number;
  readonly scale: number | undefined;
  readonly softcap: number;
}

const OP = 'Attention';

/** A [B, H, S, D] view of a 3-D [B, S, H*D] or 4-D input, as float64 numbers. */
function toHeads(t: Tensor, heads: number | undefined, what: string): { data: Float64Array; dims: number[] } {
  const x = toNumbers(t);
  if (t.dims.length === 4) return { data: x, dims: [...t.dims] };
  if (t.dims.length !== 3) throw new OpError(OP, `'${what}' must be 3-D or 4-D, got shape [${t.dims.join(',')}]`);
  if (!heads) throw new OpError(OP, `3-D inputs need the q_num_heads and kv_num_heads attributes`);
  const [b, s, hidden] = t.dims;
  if (hidden % heads !== 0) throw new OpError(OP, `'${what}' hidden size ${hidden} is not divisible by ${heads} heads`);
  const d = hidden / heads;
  const out = new Float64Array(x.length);
  for (let bi = 0; bi < b; bi++)
    for (let si = 0; si < s; si++)
      for (let h = 0; h < heads; h++) {
        const src = ((bi * s + si) * heads + h) * d, dst = ((bi * heads + h) * s + si) * d;
        for (let k = 0; k < d; k++) out[dst + k] = x[src + k];
      }
  return { data: out, dims: [b, heads, s, d] };
}

/** Concatenates past [B,H,P,D] and new [B,H,S,D] along the sequence axis. */
function concatSeq(past: Tensor | undefined, cur: { data: Float64Array; dims: number[] }): { data: Float64Array; dims: number[] } {
  if (!past) return cur;
  const [b, h, s, d] = cur.dims;
  if (past.dims.length !== 4 || past.dims[0] !== b || past.dims[1] !== h || past.dims[3] !== d) {
    throw new OpError(OP, `past cache of shape [${past.dims.join(',')}] does not match [${b},${h},*,${d}]`);
  }
  const p = past.dims[2], pv = toNumbers(past), t = p + s;
  const out = new Float64Array(b * h * t * d);
  for (let bh = 0; bh < b * h; bh++) {
    out.set(pv.subarray(bh * p * d, (bh + 1) * p * d), bh * t * d);
    out.set(cur.data.subarray(bh * s * d, (bh + 1) * s * d), bh * t * d + p * d);
  }
  return { data: out, dims: [b, h, t, d] };
}

/** The additive bias [B, Hq, Sq, T] from the mask, causality and nonpad_kv_seqlen. */
function buildBias(
  mask: Tensor | undefined, nonpad: Tensor | undefined, isCausal: boolean, pastLen: number | undefined,
  b: number, hq: number, sq: number, t: number,
): Float64Array {
  const full = [b, hq, sq, t];
  let bias: Float64Array = new Float64Array(b * hq * sq * t);
  if (mask) {
    if (mask.dims.length < 2) throw new OpError(OP, `attn_mask must have rank >= 2, got [${mask.dims.join(',')}]`);
    const md = [...mask.dims];
    const mlen = md[md.length - 1];
    if (mlen > t) throw new OpError(OP, `attn_mask's last dim ${mlen} exceeds the total sequence length ${t}`);
    const raw = toNumbers(mask);
    // a mask shorter than the total sequence is padded with -inf (false for bool masks)
    const rows = raw.length / Math.max(mlen, 1);
    const padded = new Float64Array(rows * t).fill(-Infinity);
    for (let r = 0; r < rows; r++)
      for (let j = 0; j < mlen; j++) {
        const v = raw[r * mlen + j];
        padded[r * t + j] = mask.type === 'bool' ? (v ? 0 : -Infinity) : v;
      }
    md[md.length - 1] = t;
    bias = broadcastTo(padded, md, full);
  }
  const np = nonpad ? toNumbers(nonpad) : undefined;
  if (isCausal) {
    for (let bi = 0; bi < b; bi++) {
      // bottom-right alignment: query i sees keys j <= i + offset
      const offset = pastLen === undefined && np ? np[bi] - sq : pastLen ?? 0;
      for (let h = 0; h < hq; h++)
        for (let i = 0; i < sq; i++) {
          const row = ((bi * hq + h) * sq + i) * t;
          for (let j = Math.max(0, i + offset + 1); j < t; j++) bias[row + j] = -Infinity;
        }
    }
  }
  if (np) {
    for (let bi = 0; bi < b; bi++)
      for (let r = 0; r < hq * sq; r++) {
        const row = (bi * hq * sq + r) * t;
        for (let j = Math.max(0, np[bi]); j < t; j++) bias[row + j] = -Infinity;
      }
  }
  return bias;
}

/** The [B, H, P+S, D] shape of a present cache from new keys or values (3-D or 4-D) and the past. */
function cacheShape(t: TensorType | null, past: TensorType | null | undefined, heads: number | undefined): Dim[] | null {
  const s = t?.shape;
  if (!s) return null;
  let dims: Dim[];
  if (s.length === 4) dims = [...s];
  else if (s.length === 3 && heads) dims = [s[0], heads, s[1], typeof s[2] === 'number' ? s[2] / heads : null];
  else return null;
  const p = past ? past.shape?.[2] ?? null : 0;
  dims[2] = typeof dims[2] === 'number' && typeof p === 'number' ? dims[2] + p : null;
  return dims;
}

export const attentionSpec = defineOp<AttentionAttrs>({
  op: OP,
  attrs: (a) => ({
    isCausal: a.int('is_causal', 0) !== 0,
    qHeads: a.int('q_num_heads'),
    kvHeads: a.int('kv_num_heads'),
    qkMode: a.int('qk_matmul_output_mode', 0),
    scale: a.has('scale') ? a.float('scale', 1) : undefined,
    softcap: a.float('softcap', 0),
  }),
  infer: (inputs, at) => {
    const q = inputs[0], k = inputs[1], v = inputs[2];
    let y: Dim[] | null = null;
    if (q?.shape && v?.shape) {
      if (q.shape.length === 4 && v.shape.length === 4) y = [q.shape[0], q.shape[1], q.shape[2], v.shape[3]];
      else if (q.shape.length === 3 && v.shape.length === 3 && at.qHeads && at.kvHeads) {
        const vh = v.shape[2];
        y = [q.shape[0], q.shape[1], typeof vh === 'number' ? (vh / at.kvHeads) * at.qHeads : null];
      }
    }
    const kc = cacheShape(k, inputs[4], at.kvHeads);
    const vc = cacheShape(v, inputs[5], at.kvHeads);
    const hq = q?.shape?.length === 4 ? q.shape[1] : at.qHeads ?? null;
    const sq = q?.shape?.length === 4 ? q.shape[2] : q?.shape?.length === 3 ? q.shape[1] : null;
    const qk = q?.shape && kc ? [q.shape[0], hq, sq, kc[2]] : null;
    return [tensorType(q, y), tensorType(k, kc), tensorType(v, vc), tensorType(q, qk)];
  },
  run: (inputs, at) => {
    const qT = needFloat(OP, need(OP, inputs[0], 'Q'), 'Q');
    const kT = need(OP, inputs[1], 'K'), vT = need(OP, inputs[2], 'V');
    const [mask, pastK, pastV, nonpad] = [inputs[3], inputs[4], inputs[5], inputs[6]];
    if (qT.dims.length !== kT.dims.length || qT.dims.length !== vT.dims.length) {
      throw new OpError(OP, `Q, K and V must have the same rank`);
    }
    const q = toHeads(qT, at.qHeads, 'Q');
    const k = concatSeq(pastK, toHeads(kT, at.kvHeads, 'K'));
    const v = concatSeq(pastV, toHeads(vT, at.kvHeads, 'V'));
    const [b, hq, sq, d] = q.dims;
    const [, hkv, t] = k.dims;
    const dv = v.dims[3];
    if (v.dims[2] !== t || v.dims[1] !== hkv) throw new OpError(OP, `K and V disagree in heads or sequence length`);
    const scale = at.scale ?? 1 / Math.sqrt(d);

    const bias = buildBias(mask, nonpad, at.isCausal, pastK ? pastK.dims[2] : undefined, b, hq, sq, t);
    const qkOut = qkScores(OP, q, k, scale);
    if (at.softcap > 0) for (let i = 0; i < qkOut.length; i++) qkOut[i] = at.softcap * Math.tanh(qkOut[i] / at.softcap);
    const scores = new Float64Array(qkOut.length);
    for (let i = 0; i < scores.length; i++) scores[i] = qkOut[i] + bias[i];
    if (at.qkMode === 2) qkOut.set(scores);
    for (let r = 0; r < b * hq * sq; r++) softmaxRow(scores, r * t, t);
    if (at.qkMode === 3) qkOut.set(scores);
    const y = probsTimesV(OP, scores, v, hq, sq);
    let yOut: Tensor;
    if (qT.dims.length === 3) {
      // back to [B, Sq, Hq*Dv]
      const y3 = new Float64Array(y.length);
      for (let bi = 0; bi < b; bi++)
        for (let h = 0; h < hq; h++)
          for (let i = 0; i < sq; i++)
            for (let c = 0; c < dv; c++) y3[((bi * sq + i) * hq + h) * dv + c] = y[((bi * hq + h) * sq + i) * dv + c];
      yOut = fromNumbers(qT.type, [b, sq, hq * dv], y3);
    } else yOut = fromNumbers(qT.type, [b, hq, sq, dv], y);
    return [
      yOut,
      fromNumbers(kT.type, k.dims, k.data),
      fromNumbers(vT.type, v.dims, v.data),
      fromNumbers(qT.type, [b, hq, sq, t], qkOut),
    ];
  },
});
