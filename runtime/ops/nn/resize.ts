// Resize (opset 10 and 11+ forms) and Upsample (opset 7 attribute scales, 9 input scales).
// Interpolation is separable: each resized axis gets a table of taps (source index, weight) per
// output coordinate, and the axes are resampled one after another. The tap rules follow the
// ONNX reference (nearest modes, linear, cubic, antialias filters, exclude_outside, extrapolation).

import type { TensorType } from '../../ir/graph';
import { normAxis } from '../broadcast';
import { defineOp, NotSupportedOpError, OpError } from '../spec';
import { toNumbers, type Tensor } from '../../tensor';
import { f64, need, out } from './util';

type Mode = 'nearest' | 'linear' | 'cubic';
type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';
type CoordMode = 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners' | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';

export interface ResizeAttrs {
  readonly mode: Mode;
  readonly coord: CoordMode;
  readonly nearest: NearestMode;
  readonly cubicA: number;
  readonly excludeOutside: boolean;
  readonly extrapolation: number;
  readonly antialias: boolean;
  readonly axes?: readonly number[];
  readonly keepAspect: 'stretch' | 'not_larger' | 'not_smaller';
  /** Upsample-7 scales attribute */
  readonly scales?: readonly number[];
}

function parseMode(op: string, m: string): Mode {
  if (m === 'nearest' || m === 'linear' || m === 'cubic') return m;
  if (m === 'bilinear' || m === 'trilinear') return 'linear';
  throw new OpError(op, `mode must be nearest, linear or cubic, got '${m}'`);
}

const COORD_MODES = ['half_pixel', 'half_pixel_symmetric', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize'];
const NEAREST_MODES = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** One axis's resampling: `taps` source indices and weights per output coordinate. */
export interface AxisPlan {
  readonly outSize: number;
  readonly taps: number;
  readonly index: Int32Array;
  readonly weight: Float64Array;
  /** output coordinates that take the extrapolation value (tf_crop_and_resize) */
  readonly outside?: Uint8Array;
}

function sourceCoord(at: ResizeAttrs, x: number, inSize: number, outSize: number, scale: number, roiStart: number, roiEnd: number): number {
  const outF = scale * inSize; // the reference uses the unrounded output length
  switch (at.coord) {
    case 'align_corners':
      return outF === 1 ? 0 : (x * (inSize - 1)) / (outF - 1);
    case 'asymmetric':
      return x / scale;
    case 'tf_crop_and_resize': {
      const c = outF === 1 ? ((roiEnd - roiStart) * (inSize - 1)) / 2 : (x * (roiEnd - roiStart) * (inSize - 1)) / (outF - 1);
      return c + roiStart * (inSize - 1);
    }
    case 'pytorch_half_pixel':
      return outF === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case 'tf_half_pixel_for_nn':
      return (x + 0.5) / scale;
    case 'half_pixel_symmetric': {
      const adjustment = outSize / outF;
      const offset = (inSize / 2) * (1 - adjustment);
      return offset + (x + 0.5) / scale - 0.5;
    }
    default:
      return (x + 0.5) / scale - 0.5;
  }
}

function nearestIndex(mode: NearestMode, x: number, scale: number): number {
  if (Number.isInteger(x)) return x;
  const f = Math.floor(x);
  const r = x - f;
  switch (mode) {
    case 'round_prefer_floor':
      return r <= 0.5 ? f : f + 1;
    case 'round_prefer_ceil':
      return r < 0.5 ? f : f + 1;
    case 'floor':
      return f;
    case 'ceil':
      return f + 1;
    case 'simple': // opset-10 Resize / Upsample: ceil when downsampling, else floor
      return scale < 1 ? Math.ceil(x) : f;
  }
}

function cubicWeight(x: number, A: number): number {
  x = Math.abs(x);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/** Builds the tap table of one axis. */
export function planAxis(at: ResizeAttrs, inSize: number, outSize: number, scale: number, roiStart: number, roiEnd: number): AxisPlan {
  // filter support in taps, and the first tap's offset from `base` (see below)
  let taps = 1;
  let start = 0;
  const aaScale = at.antialias ? Math.min(scale, 1) : 1;
  if (at.mode === 'linear') {
    start = at.antialias ? Math.floor(-1 / aaScale) + 1 : 0;
    taps = 2 - 2 * start;
  } else if (at.mode === 'cubic') {
    start = at.antialias ? Math.floor(-2 / aaScale) + 1 : -1;
    taps = 2 - 2 * start;
  }
  const index = new Int32Array(outSize * taps);
  const weight = new Float64Array(outSize * taps);
  const outside = at.coord === 'tf_crop_and_resize' ? new Uint8Array(outSize) : undefined;
  const clamp = (i: number) => (i < 0 ? 0 : i >= inSize ? inSize - 1 : i);
  for (let o = 0; o < outSize; o++) {
    const x = sourceCoord(at, o, inSize, outSize, scale, roiStart, roiEnd);
    const t0 = o * taps;
    if (outside && (x < 0 || x > inSize - 1)) {
      outside[o] = 1;
      index[t0] = 0;
      continue;
    }
    if (at.mode === 'nearest') {
      index[t0] = clamp(nearestIndex(at.nearest, x, scale));
      weight[t0] = 1;
      continue;
    }
    // the reference takes ratio in (0, 1]: an integral coordinate counts as base + 1
    const base = Math.ceil(x) - 1;
    const ratio = x - base;
    let sum = 0;
    for (let t = 0; t < taps; t++) {
      const i = start + t;
      const d = (i - ratio) * aaScale;
      let w = at.mode === 'linear' ? Math.max(0, 1 - Math.abs(d)) : cubicWeight(d, at.cubicA);
      const src = base + i;
      if (at.excludeOutside && (src < 0 || src >= inSize)) w = 0;
      index[t0 + t] = clamp(src);
      weight[t0 + t] = w;
      sum += w;
    }
    if ((at.antialias || at.excludeOutside) && sum !== 0) for (let t = 0; t < taps; t++) weight[t0 + t] /= sum;
  }
  return { outSize, taps, index, weight, outside };
}

/** Resamples `axis` of data (shape `dims`) with `plan`. */
function resampleAxis(data: Float64Array, dims: number[], axis: number, plan: AxisPlan, extrapolation: number): Float64Array {
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const inSize = dims[axis];
  const { outSize, taps, index, weight, outside } = plan;
  const res = new Float64Array(outer * outSize * inner);
  for (let u = 0; u < outer; u++) {
    const srcBase = u * inSize * inner;
    for (let o = 0; o < outSize; o++) {
      const dst = (u * outSize + o) * inner;
      if (outside && outside[o]) {
        res.fill(extrapolation, dst, dst + inner);
        continue;
      }
      for (let t = 0; t < taps; t++) {
        const w = weight[o * taps + t];
        if (w === 0) continue;
        const src = srcBase + index[o * taps + t] * inner;
        for (let k = 0; k < inner; k++) res[dst + k] += w * data[src + k];
      }
    }
  }
  return res;
}

/** Resizes x given per-axis output sizes and scales (full rank), and a full-rank roi. */
function resize(op: string, x: Tensor, at: ResizeAttrs, outSizes: number[], scales: number[], roi: number[] | undefined): Tensor {
  const r = x.dims.length;
  let data = f64(x);
  const dims = [...x.dims];
  for (let a = 0; a < r; a++) {
    const rs = roi ? roi[a] : 0;
    const re = roi ? roi[a + r] : 1;
    const identity = outSizes[a] === dims[a] && scales[a] === 1 && (at.coord !== 'tf_crop_and_resize' || (rs === 0 && re === 1));
    if (identity) continue;
    if (!(outSizes[a] >= 0)) throw new OpError(op, `output size of axis ${a} is invalid (${outSizes[a]})`);
    if (dims[a] === 0) throw new OpError(op, `cannot resize an empty axis ${a}`);
    const plan = planAxis(at, dims[a], outSizes[a], scales[a], rs, re);
    data = resampleAxis(data, dims, a, plan, at.extrapolation);
    dims[a] = outSizes[a];
  }
  return out(x.type, dims, data);
}

function readResizeAttrs(op: string, a: { string(n: string, d: string): string; int(n: string, d: number): number; float(n: string, d: number): number; ints(n: string): readonly number[] | undefined; floats(n: string): readonly number[] | undefined }, opset: number): ResizeAttrs {
  const legacy = op === 'Upsample' || opset < 11;
  const coord = legacy ? 'asymmetric' : a.string('coordinate_transformation_mode', 'half_pixel');
  if (!COORD_MODES.includes(coord)) throw new OpError(op, `unknown coordinate_transformation_mode '${coord}'`);
  const nearest = legacy ? 'simple' : a.string('nearest_mode', 'round_prefer_floor');
  if (nearest !== 'simple' && !NEAREST_MODES.includes(nearest)) throw new OpError(op, `unknown nearest_mode '${nearest}'`);
  const keep = a.string('keep_aspect_ratio_policy', 'stretch');
  if (keep !== 'stretch' && keep !== 'not_larger' && keep !== 'not_smaller') throw new OpError(op, `unknown keep_aspect_ratio_policy '${keep}'`);
  return {
    mode: parseMode(op, a.string('mode', 'nearest')),
    coord: coord as CoordMode,
    nearest: nearest as NearestMode,
    cubicA: a.float('cubic_coeff_a', -0.75),
    excludeOutside: a.int('exclude_outside', 0) !== 0,
    extrapolation: a.float('extrapolation_value', 0),
    antialias: a.int('antialias', 0) !== 0,
    axes: a.ints('axes'),
    keepAspect: keep,
    scales: a.floats('scales'),
  };
}

const sameRankUnknown = (x: TensorType | null): (TensorType | null)[] => [x ? { kind: 'tensor', dtype: x.dtype, shape: x.shape ? x.shape.map(() => null) : null } : null];

export const resizeOp = defineOp<ResizeAttrs>({
  op: 'Resize',
  attrs: (a, opset) => readResizeAttrs('Resize', a, opset),
  infer: ([x]) => sameRankUnknown(x),
  run(inputs, at, ctx) {
    const op = 'Resize';
    const x = need(op, inputs[0], 'X');
    const r = x.dims.length;
    // opset 10: (X, scales); 11+: (X, roi, scales, sizes)
    const [roiT, scalesT, sizesT] = ctx.opset < 11 ? [undefined, inputs[1], undefined] : [inputs[1], inputs[2], inputs[3]];
    const axes = at.axes ? at.axes.map((ax) => normAxis(op, ax, r)) : [...Array(r).keys()];
    const scalesIn = scalesT && scalesT.data.length ? Array.from(toNumbers(scalesT)) : undefined;
    const sizesIn = sizesT && sizesT.data.length ? Array.from(toNumbers(sizesT)) : undefined;
    if (!scalesIn && !sizesIn) throw new OpError(op, 'one of scales or sizes is required');
    if (scalesIn && sizesIn) throw new OpError(op, 'only one of scales and sizes may be given');
    const given = (scalesIn ?? sizesIn) as number[];
    if (given.length !== axes.length) throw new OpError(op, `scales/sizes must have ${axes.length} entries, got ${given.length}`);

    const scales = new Array<number>(r).fill(1);
    const sizes = [...x.dims];
    if (scalesIn) {
      axes.forEach((ax, i) => {
        if (!(scalesIn[i] > 0)) throw new OpError(op, `scales must be positive, got ${scalesIn[i]}`);
        scales[ax] = scalesIn[i];
        sizes[ax] = Math.floor(x.dims[ax] * scalesIn[i]);
      });
    } else if (sizesIn) {
      axes.forEach((ax, i) => {
        sizes[ax] = sizesIn[i];
        scales[ax] = sizesIn[i] / x.dims[ax];
      });
      if (at.keepAspect !== 'stretch') {
        const pick = axes.map((ax) => scales[ax]);
        const s = at.keepAspect === 'not_larger' ? Math.min(...pick) : Math.max(...pick);
        for (const ax of axes) {
          scales[ax] = s;
          sizes[ax] = Math.floor(s * x.dims[ax] + 0.5);
        }
      }
    }

    let roi: number[] | undefined;
    if (at.coord === 'tf_crop_and_resize') {
      if (!roiT) throw new OpError(op, 'tf_crop_and_resize needs the roi input');
      const v = Array.from(toNumbers(roiT));
      const n = axes.length;
      if (v.length !== 2 * n) throw new OpError(op, `roi must have ${2 * n} entries, got ${v.length}`);
      roi = [...new Array<number>(r).fill(0), ...new Array<number>(r).fill(1)];
      axes.forEach((ax, i) => {
        (roi as number[])[ax] = v[i];
        (roi as number[])[r + ax] = v[n + i];
      });
    }
    if (at.antialias && at.mode === 'nearest') throw new NotSupportedOpError(op, 'antialias is not defined for mode nearest');
    return [resize(op, x, at, sizes, scales, roi)];
  },
});

export const upsample = defineOp<ResizeAttrs>({
  op: 'Upsample',
  attrs: (a, opset) => readResizeAttrs('Upsample', a, opset),
  infer: ([x]) => sameRankUnknown(x),
  run([xT, scalesT], at) {
    const op = 'Upsample';
    const x = need(op, xT, 'X');
    const scales = scalesT ? Array.from(toNumbers(scalesT)) : at.scales ? [...at.scales] : undefined;
    if (!scales) throw new OpError(op, 'scales (attribute before opset 9, input from 9) is required');
    if (scales.length !== x.dims.length) throw new OpError(op, `scales must have ${x.dims.length} entries, got ${scales.length}`);
    const sizes = x.dims.map((d, i) => Math.floor(d * scales[i]));
    return [resize(op, x, at, sizes, scales, undefined)];
  },
});
