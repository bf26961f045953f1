// RoiAlign: average or max of bilinear samples over each bin of each region of interest
// (opset 10 output_half_pixel behaviour, opset 16 half_pixel default).

import { defineOp, OpError } from '../spec';
import { f64, need, out } from './util';

interface RoiAttrs {
  readonly max: boolean;
  readonly outH: number;
  readonly outW: number;
  readonly samplingRatio: number;
  readonly spatialScale: number;
  readonly halfPixel: boolean;
}

export const roiAlign = defineOp<RoiAttrs>({
  op: 'RoiAlign',
  attrs(a, opset) {
    const mode = a.string('mode', 'avg');
    if (mode !== 'avg' && mode !== 'max') throw new OpError('RoiAlign', `mode must be avg or max, got '${mode}'`);
    const ctm = a.string('coordinate_transformation_mode', opset >= 16 ? 'half_pixel' : 'output_half_pixel');
    return {
      max: mode === 'max',
      outH: a.int('output_height', 1),
      outW: a.int('output_width', 1),
      samplingRatio: a.int('sampling_ratio', 0),
      spatialScale: a.float('spatial_scale', 1),
      halfPixel: ctm === 'half_pixel',
    };
  },
  infer: ([x, rois], at) => [x ? { kind: 'tensor', dtype: x.dtype, shape: [rois?.shape?.[0] ?? null, x.shape?.[1] ?? null, at.outH, at.outW] } : null],
  run([xT, rT, bT], at) {
    const op = 'RoiAlign';
    const x = need(op, xT, 'X');
    const rois = need(op, rT, 'rois');
    const bi = f64(need(op, bT, 'batch_indices'));
    if (x.dims.length !== 4) throw new OpError(op, `X must be [N, C, H, W], got [${x.dims.join(',')}]`);
    const [, C, H, W] = x.dims;
    const R = rois.dims[0];
    const { outH: PH, outW: PW } = at;
    const xv = f64(x);
    const rv = f64(rois);
    const y = new Float64Array(R * C * PH * PW);
    const offset = at.halfPixel ? 0.5 : 0;
    // one bilinear sample: four (offset, weight) pairs, or none when outside the feature map
    const sample = (yy: number, xx: number, o: Int32Array, w: Float64Array): boolean => {
      if (yy < -1 || yy > H || xx < -1 || xx > W) return false;
      if (yy <= 0) yy = 0;
      if (xx <= 0) xx = 0;
      let yl = Math.floor(yy), xl = Math.floor(xx), yh: number, xh: number;
      if (yl >= H - 1) { yh = yl = H - 1; yy = yl; } else yh = yl + 1;
      if (xl >= W - 1) { xh = xl = W - 1; xx = xl; } else xh = xl + 1;
      const ly = yy - yl, lx = xx - xl, hy = 1 - ly, hx = 1 - lx;
      o[0] = yl * W + xl; o[1] = yl * W + xh; o[2] = yh * W + xl; o[3] = yh * W + xh;
      w[0] = hy * hx; w[1] = hy * lx; w[2] = ly * hx; w[3] = ly * lx;
      return true;
    };
    const o = new Int32Array(4);
    const w = new Float64Array(4);
    for (let r = 0; r < R; r++) {
      const b = bi[r];
      const x1 = rv[r * 4] * at.spatialScale - offset, y1 = rv[r * 4 + 1] * at.spatialScale - offset;
      const x2 = rv[r * 4 + 2] * at.spatialScale - offset, y2 = rv[r * 4 + 3] * at.spatialScale - offset;
      let rw = x2 - x1, rh = y2 - y1;
      if (!at.halfPixel) {
        rw = Math.max(rw, 1);
        rh = Math.max(rh, 1);
      }
      const bh = rh / PH, bw = rw / PW;
      const gh = at.samplingRatio > 0 ? at.samplingRatio : Math.ceil(rh / PH);
      const gw = at.samplingRatio > 0 ? at.samplingRatio : Math.ceil(rw / PW);
      const count = Math.max(gh * gw, 1);
      for (let c = 0; c < C; c++) {
        const base = (b * C + c) * H * W;
        for (let ph = 0; ph < PH; ph++) {
          for (let pw = 0; pw < PW; pw++) {
            let acc = 0;
            let first = true;
            for (let iy = 0; iy < gh; iy++) {
              const yy = y1 + ph * bh + ((iy + 0.5) * bh) / gh;
              for (let ix = 0; ix < gw; ix++) {
                const xx = x1 + pw * bw + ((ix + 0.5) * bw) / gw;
                const inside = sample(yy, xx, o, w);
                if (at.max) {
                  // max mode takes the largest weighted corner (onnxruntime's definition)
                  const v = inside ? Math.max(w[0] * xv[base + o[0]], w[1] * xv[base + o[1]], w[2] * xv[base + o[2]], w[3] * xv[base + o[3]]) : 0;
                  acc = first ? v : Math.max(acc, v);
                  first = false;
                } else if (inside) {
                  acc += w[0] * xv[base + o[0]] + w[1] * xv[base + o[1]] + w[2] * xv[base + o[2]] + w[3] * xv[base + o[3]];
                }
              }
            }
            y[((r * C + c) * PH + ph) * PW + pw] = at.max ? acc : acc / count;
          }
        }
      }
    }
    return [out(x.type, [R, C, PH, PW], y)];
  },
});
