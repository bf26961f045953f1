// NonMaxSuppression: greedy per-(batch, class) selection by score with an IoU threshold.

import { defineOp, OpError } from '../spec';
import { toNumbers } from '../../tensor';
import { f64, need, out } from './util';

/** Box corners as [ymin, xmin, ymax, xmax] from either box encoding. */
function corners(b: Float64Array, i: number, centerPoint: boolean): [number, number, number, number] {
  const a = b[i * 4], c = b[i * 4 + 1], d = b[i * 4 + 2], e = b[i * 4 + 3];
  if (centerPoint) return [c - e / 2, a - d / 2, c + e / 2, a + d / 2]; // [x_c, y_c, w, h]
  return [Math.min(a, d), Math.min(c, e), Math.max(a, d), Math.max(c, e)];
}

function iou(p: readonly number[], q: readonly number[]): number {
  const areaP = (p[2] - p[0]) * (p[3] - p[1]);
  const areaQ = (q[2] - q[0]) * (q[3] - q[1]);
  if (areaP <= 0 || areaQ <= 0) return 0;
  const ih = Math.min(p[2], q[2]) - Math.max(p[0], q[0]);
  const iw = Math.min(p[3], q[3]) - Math.max(p[1], q[1]);
  if (ih <= 0 || iw <= 0) return 0;
  const inter = ih * iw;
  return inter / (areaP + areaQ - inter);
}

export const nonMaxSuppression = defineOp<{ centerPoint: boolean }>({
  op: 'NonMaxSuppression',
  attrs: (a) => ({ centerPoint: a.int('center_point_box', 0) !== 0 }),
  infer: () => [{ kind: 'tensor', dtype: 'int64', shape: [null, 3] }],
  run([bT, sT, maxT, iouT, scoreT], at) {
    const op = 'NonMaxSuppression';
    const boxes = need(op, bT, 'boxes');
    const scores = need(op, sT, 'scores');
    if (boxes.dims.length !== 3 || boxes.dims[2] !== 4) throw new OpError(op, `boxes must be [B, N, 4], got [${boxes.dims.join(',')}]`);
    const [B, Nb] = boxes.dims;
    const Cn = scores.dims[1];
    if (scores.dims.length !== 3 || scores.dims[0] !== B || scores.dims[2] !== Nb) throw new OpError(op, `scores must be [${B}, C, ${Nb}], got [${scores.dims.join(',')}]`);
    const maxOut = maxT && maxT.data.length ? toNumbers(maxT)[0] : 0;
    const iouTh = iouT && iouT.data.length ? toNumbers(iouT)[0] : 0;
    const scoreTh = scoreT && scoreT.data.length ? toNumbers(scoreT)[0] : -Infinity;
    const bv = f64(boxes);
    const sv = f64(scores);
    const sel: number[] = [];
    if (maxOut > 0) {
      for (let b = 0; b < B; b++) {
        const bb = bv.subarray(b * Nb * 4, (b + 1) * Nb * 4);
        const box = Array.from({ length: Nb }, (_, i) => corners(bb, i, at.centerPoint));
        for (let c = 0; c < Cn; c++) {
          const s0 = (b * Cn + c) * Nb;
          const cand: number[] = [];
          for (let i = 0; i < Nb; i++) if (sv[s0 + i] > scoreTh) cand.push(i);
          cand.sort((p, q) => sv[s0 + q] - sv[s0 + p] || p - q);
          const kept: number[] = [];
          for (const i of cand) {
            if (kept.length >= maxOut) break;
            if (kept.every((k) => iou(box[i], box[k]) <= iouTh)) kept.push(i);
          }
          for (const k of kept) sel.push(b, c, k);
        }
      }
    }
    return [out('int64', [sel.length / 3, 3], sel)];
  },
});
