// RotaryEmbedding (opset 23): rotates the first `rotary_embedding_dim` features of each head by
// position-dependent angles given as cos/sin caches, in halves (x[:r/2], x[r/2:r]) or
// interleaved pairs (x[0::2], x[1::2]). Input is [B, H, S, D], or [B, S, H*D] with num_heads.

import { fromNumbers, toNumbers } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { need, needFloat } from './util';

const OP = 'RotaryEmbedding';

interface RotaryAttrs {
  readonly interleaved: boolean;
  readonly numHeads: number;
  readonly rotaryDim: number;
}

export const rotarySpec = defineOp<RotaryAttrs>({
  op: OP,
  attrs: (a) => ({
    interleaved: a.int('interleaved', 0) !== 0,
    numHeads: a.int('num_heads', 0),
    rotaryDim: a.int('rotary_embedding_dim', 0),
  }),
  infer: (inputs) => [inputs[0] ?? null],
  run: (inputs, at) => {
    const x = needFloat(OP, need(OP, inputs[0], 'X'), 'X');
    const cosT = need(OP, inputs[1], 'cos_cache'), sinT = need(OP, inputs[2], 'sin_cache');
    const pos = inputs[3];
    let b: number, h: number, s: number, d: number;
    // element (b, h, s, k) lives at b*bStride + h*hStride + s*sStride + k
    let hStride: number, sStride: number;
    if (x.dims.length === 4) {
      [b, h, s, d] = x.dims;
      hStride = s * d;
      sStride = d;
    } else if (x.dims.length === 3) {
      if (!at.numHeads) throw new OpError(OP, `3-D input needs the num_heads attribute`);
      h = at.numHeads;
      [b, s] = x.dims;
      d = x.dims[2] / h;
      hStride = d;
      sStride = h * d;
    } else throw new OpError(OP, `input must be 3-D or 4-D, got [${x.dims.join(',')}]`);
    const rot = at.rotaryDim || d;
    const half = rot / 2;
    const xs = toNumbers(x), cos = toNumbers(cosT), sin = toNumbers(sinT);
    const ps = pos ? toNumbers(pos) : undefined;
    const cacheWidth = cosT.dims[cosT.dims.length - 1];
    if (cacheWidth < half) throw new OpError(OP, `cos_cache width ${cacheWidth} is below rotary_dim/2 = ${half}`);
    const out = Float64Array.from(xs);
    for (let bi = 0; bi < b; bi++)
      for (let si = 0; si < s; si++) {
        // cache row: position_ids[b, s] into a [max_pos, w] cache, or the [B, S, w] cache itself
        const row = (ps ? ps[ps.length === s ? si : bi * s + si] : bi * s + si) * cacheWidth;
        for (let hi = 0; hi < h; hi++) {
          const base = bi * h * s * d + hi * hStride + si * sStride;
          for (let k = 0; k < half; k++) {
            const i1 = at.interleaved ? base + 2 * k : base + k;
            const i2 = at.interleaved ? i1 + 1 : i1 + half;
            const c = cos[row + k], sn = sin[row + k];
            out[i1] = c * xs[i1] - sn * xs[i2];
            out[i2] = sn * xs[i1] + c * xs[i2];
          }
        }
      }
    return [fromNumbers(x.type, x.dims, out)];
  },
});
