// GridSample (opset 16 2-D names bilinear/bicubic, opset 20 N-D names linear/cubic): samples X at
// normalized grid points with zeros/border/reflection padding, following the ONNX reference.

import { defineOp, OpError } from '../spec';
import { f64, need, out } from './util';

type Mode = 'nearest' | 'linear' | 'cubic';
type Padding = 'zeros' | 'border' | 'reflection';

interface GridAttrs {
  readonly mode: Mode;
  readonly padding: Padding;
  readonly alignCorners: boolean;
}

function reflect(x: number, lo: number, hi: number): number {
  const rng = hi - lo;
  if (x < lo) {
    const dx = lo - x;
    const n = Math.trunc(dx / rng);
    const r = dx - n * rng;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi;
    const n = Math.trunc(dx / rng);
    const r = dx - n * rng;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

function cubicCoeffs(t: number, c: Float64Array): void {
  const A = -0.75;
  const x = Math.abs(t);
  c[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
  c[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
  c[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
  c[3] = ((A * (2 - x) - 5 * A) * (2 - x) + 8 * A) * (2 - x) - 4 * A;
}

const rint = (v: number) => {
  const r = Math.round(v);
  return Math.abs(v - Math.trunc(v)) === 0.5 ? 2 * Math.round(v / 2) : r;
};

export const gridSample = defineOp<GridAttrs>({
  op: 'GridSample',
  attrs(a) {
    const m = a.string('mode', 'bilinear');
    const mode: Mode | undefined = m === 'bilinear' || m === 'linear' ? 'linear' : m === 'bicubic' || m === 'cubic' ? 'cubic' : m === 'nearest' ? 'nearest' : undefined;
    if (!mode) throw new OpError('GridSample', `unknown mode '${m}'`);
    const p = a.string('padding_mode', 'zeros');
    if (p !== 'zeros' && p !== 'border' && p !== 'reflection') throw new OpError('GridSample', `unknown padding_mode '${p}'`);
    return { mode, padding: p, alignCorners: a.int('align_corners', 0) !== 0 };
  },
  infer: ([x, g]) => [x ? { kind: 'tensor', dtype: x.dtype, shape: x.shape && g?.shape ? [x.shape[0], x.shape[1], ...g.shape.slice(1, -1)] : null } : null],
  run([xT, gT], at) {
    const op = 'GridSample';
    const x = need(op, xT, 'X');
    const grid = need(op, gT, 'grid');
    const r = x.dims.length - 2;
    if (r < 1 || grid.dims.length !== r + 2 || grid.dims[r + 1] !== r) throw new OpError(op, `grid must be [N, ...out, ${r}] for X [${x.dims.join(',')}], got [${grid.dims.join(',')}]`);
    const [N, C] = x.dims;
    const dims = x.dims.slice(2);
    const outSp = grid.dims.slice(1, -1);
    const P = outSp.reduce((a, b) => a * b, 1);
    const inSize = dims.reduce((a, b) => a * b, 1);
    const strides = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
    const lo = dims.map((d) => (at.alignCorners ? 0 : -0.5));
    const hi = dims.map((d) => (at.alignCorners ? d - 1 : d - 0.5));
    const xv = f64(x);
    const gv = f64(grid);
    const y = new Float64Array(N * C * P);
    const taps = at.mode === 'nearest' ? 1 : at.mode === 'linear' ? 2 : 4;
    // per spatial dim: offsets (element offset or -1 for a zero tap) and weights of its taps
    const offs = dims.map(() => new Int32Array(taps));
    const wts = dims.map(() => new Float64Array(taps));
    const coeff = new Float64Array(4);
    const fetch = (i: number, d: number): number => {
      const size = dims[d];
      if (at.padding === 'zeros') return i >= 0 && i < size ? i : -1;
      if (at.padding === 'border') return i < 0 ? 0 : i >= size ? size - 1 : i;
      return Math.trunc(reflect(i, lo[d], hi[d]));
    };
    const counter = new Int32Array(r);
    for (let n = 0; n < N; n++) {
      for (let p = 0; p < P; p++) {
        for (let d = 0; d < r; d++) {
          // the grid stores coordinates innermost-first (x, y[, z])
          const g = gv[(n * P + p) * r + (r - 1 - d)];
          const size = dims[d];
          let c = Math.fround(at.alignCorners ? ((g + 1) / 2) * (size - 1) : ((g + 1) * size - 1) / 2);
          if (at.mode === 'nearest') c = rint(c);
          if (c < lo[d] || c > hi[d]) {
            if (at.padding === 'border') c = c < 0 ? 0 : c > size - 1 ? size - 1 : c;
            else if (at.padding === 'reflection') c = Math.fround(reflect(c, lo[d], hi[d]));
          }
          if (at.mode === 'nearest') {
            offs[d][0] = fetch(Math.trunc(c), d);
            wts[d][0] = 1;
          } else {
            const c0 = Math.floor(c);
            const t = c - c0;
            if (at.mode === 'linear') {
              offs[d][0] = fetch(c0, d);
              offs[d][1] = fetch(c0 + 1, d);
              wts[d][0] = 1 - t;
              wts[d][1] = t;
            } else {
              cubicCoeffs(t, coeff);
              for (let k = 0; k < 4; k++) {
                offs[d][k] = fetch(c0 - 1 + k, d);
                wts[d][k] = coeff[k];
              }
            }
          }
        }
        for (let ch = 0; ch < C; ch++) {
          const base = (n * C + ch) * inSize;
          let acc = 0;
          counter.fill(0);
          // every combination of one tap per dim
          for (;;) {
            let w = 1;
            let off = base;
            for (let d = 0; d < r; d++) {
              const o = offs[d][counter[d]];
              if (o < 0) {
                w = 0;
                break;
              }
              w *= wts[d][counter[d]];
              off += o * strides[d];
            }
            if (w !== 0) acc += w * xv[off];
            let d = r - 1;
            while (d >= 0 && ++counter[d] === taps) counter[d--] = 0;
            if (d < 0) break;
          }
          y[(n * C + ch) * P + p] = acc;
        }
      }
    }
    return [out(x.type, [N, C, ...outSp], y)];
  },
});
