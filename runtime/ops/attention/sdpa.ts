// The two matrix products of scaled dot-product attention over [B, H, S, D] float64 data, with
// grouped-query heads: query head h reads kv head floor(h / (Hq / Hkv)).

import { OpError } from '../spec';

/** Float64 data of a [B, H, S, D] tensor. */
export interface Heads {
  readonly data: Float64Array;
  readonly dims: readonly number[];
}

/** Checks that Hq is a multiple of Hkv and returns the group size Hq / Hkv. */
export function groupSize(op: string, hq: number, hkv: number): number {
  if (hkv === 0 || hq % hkv !== 0) throw new OpError(op, `q heads ${hq} is not a multiple of kv heads ${hkv}`);
  return hq / hkv;
}

/** scale · Q·Kᵀ as [B, Hq, Sq, T]. */
export function qkScores(op: string, q: Heads, k: Heads, scale: number): Float64Array {
  const [b, hq, sq, d] = q.dims;
  const [kb, hkv, t, dk] = k.dims;
  if (kb !== b || dk !== d) throw new OpError(op, `Q [${q.dims.join(',')}] and K [${k.dims.join(',')}] do not match`);
  const group = groupSize(op, hq, hkv);
  const out = new Float64Array(b * hq * sq * t);
  for (let bi = 0; bi < b; bi++)
    for (let h = 0; h < hq; h++) {
      const kh = bi * hkv + Math.floor(h / group);
      for (let i = 0; i < sq; i++) {
        const qo = ((bi * hq + h) * sq + i) * d;
        const row = ((bi * hq + h) * sq + i) * t;
        for (let j = 0; j < t; j++) {
          const ko = (kh * t + j) * d;
          let s = 0;
          for (let c = 0; c < d; c++) s += q.data[qo + c] * k.data[ko + c];
          out[row + j] = s * scale;
        }
      }
    }
  return out;
}

/** P·V for probabilities P [B, Hq, Sq, T], as [B, Hq, Sq, Dv]. */
export function probsTimesV(op: string, p: Float64Array, v: Heads, hq: number, sq: number): Float64Array {
  const [b, hkv, t, dv] = v.dims;
  const group = groupSize(op, hq, hkv);
  if (p.length !== b * hq * sq * t) throw new OpError(op, `V [${v.dims.join(',')}] does not match the scores`);
  const y = new Float64Array(b * hq * sq * dv);
  for (let bi = 0; bi < b; bi++)
    for (let h = 0; h < hq; h++) {
      const vh = bi * hkv + Math.floor(h / group);
      for (let i = 0; i < sq; i++) {
        const row = ((bi * hq + h) * sq + i) * t;
        const yo = ((bi * hq + h) * sq + i) * dv;
        for (let j = 0; j < t; j++) {
          const w = p[row + j];
          if (w === 0) continue;
          const vo = (vh * t + j) * dv;
          for (let c = 0; c < dv; c++) y[yo + c] += w * v.data[vo + c];
        }
      }
    }
  return y;
}
