// AffineGrid: the sampling grid of an affine transform `theta` over a 2-D or 3-D output size,
// in GridSample's normalised [-1, 1] coordinates (x varies along the last axis).

import { toInts } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { f64, need, needFloat, out } from './util';

/** Normalised coordinate of index `i` along an axis of `n` points. */
function coord(i: number, n: number, alignCorners: boolean): number {
  if (alignCorners) return n > 1 ? -1 + (2 * i) / (n - 1) : 0;
  return (2 * i + 1) / n - 1;
}

export const affineGrid = defineOp({
  op: 'AffineGrid',
  attrs: (a) => ({ alignCorners: a.int('align_corners', 0) !== 0 }),
  run([thetaIn, sizeIn], { alignCorners }) {
    const theta = needFloat('AffineGrid', thetaIn, 'theta');
    const size = toInts(need('AffineGrid', sizeIn, 'size'));
    const spatial = size.length - 2;
    if (spatial !== 2 && spatial !== 3) throw new OpError('AffineGrid', `size must have 4 or 5 elements (N, C, spatial…), got ${size.length}`);
    const [n] = size;
    const rows = spatial, cols = spatial + 1;
    if (theta.dims.join() !== [n, rows, cols].join()) throw new OpError('AffineGrid', `theta must be [${n},${rows},${cols}], got [${theta.dims}]`);
    // Spatial sizes from slowest to fastest: (D,) H, W; grid points are (x, y[, z]).
    const dims = size.slice(2);
    const points = dims.reduce((a, b) => a * b, 1);
    const th = f64(theta);
    const res = new Float64Array(n * points * spatial);
    const p = new Array<number>(cols).fill(1);
    for (let b = 0; b < n; b++) {
      for (let k = 0; k < points; k++) {
        let rem = k;
        for (let d = spatial - 1; d >= 0; d--) {
          const idx = rem % dims[d];
          rem = Math.floor(rem / dims[d]);
          p[spatial - 1 - d] = coord(idx, dims[d], alignCorners); // x from W, y from H, z from D
        }
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let c = 0; c < cols; c++) s += th[(b * rows + r) * cols + c] * p[c];
          res[(b * points + k) * spatial + r] = s;
        }
      }
    }
    return [out(theta.type, [n, ...dims, spatial], res)];
  },
});
