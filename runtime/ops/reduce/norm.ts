// Normalisations by per-group statistics: LayerNormalization, GroupNormalization,
// InstanceNormalization, MeanVarianceNormalization (and RMSNormalization, which skips the mean).
// Each is "moments over some axes of a (possibly reshaped) view of X, then an affine transform".

import { broadcastIndex, normAxis } from '../broadcast';
import { fromNumbers, sizeOf, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type OpSpec } from '../spec';
import { need, needFloat, normAxes, onnxDType, reducePlan, sameAsInput, tensorType, type ReducePlan } from './util';

/** Mean and population variance of each group of a reduce plan (two passes, for accuracy). */
export function moments(xs: Float64Array, plan: ReducePlan): { mean: Float64Array; variance: Float64Array } {
  const { keep, red } = plan;
  const mean = new Float64Array(keep.length);
  const variance = new Float64Array(keep.length);
  const n = red.length;
  for (let g = 0; g < keep.length; g++) {
    const b = keep[g];
    let s = 0;
    for (let j = 0; j < n; j++) s += xs[b + red[j]];
    const m = s / n;
    let v = 0;
    for (let j = 0; j < n; j++) {
      const d = xs[b + red[j]] - m;
      v += d * d;
    }
    mean[g] = m;
    variance[g] = v / n;
  }
  return { mean, variance };
}

/**
 * Writes (x - mean) * invStd(g) for every element of every group, where `invStd` maps a group's
 * variance to the factor (1/sqrt(var+eps) for most ops; MVN differs).
 */
function normalize(xs: Float64Array, plan: ReducePlan, mean: Float64Array, factor: Float64Array): Float64Array {
  const out = new Float64Array(xs.length);
  const { keep, red } = plan;
  for (let g = 0; g < keep.length; g++) {
    const b = keep[g];
    const m = mean[g];
    const f = factor[g];
    for (let j = 0; j < red.length; j++) {
      const p = b + red[j];
      out[p] = (xs[p] - m) * f;
    }
  }
  return out;
}

/** y = y * scale + bias with scale/bias broadcast to X's shape (either may be absent). */
function affine(y: Float64Array, dims: readonly number[], scale?: Tensor, bias?: Tensor): void {
  if (scale) {
    const s = toNumbers(scale);
    const idx = broadcastIndex(scale.dims, dims);
    for (let i = 0; i < y.length; i++) y[i] *= s[idx[i]];
  }
  if (bias) {
    const b = toNumbers(bias);
    const idx = broadcastIndex(bias.dims, dims);
    for (let i = 0; i < y.length; i++) y[i] += b[idx[i]];
  }
}

/** Per-channel scale/bias ([C]) as a tensor of shape [C, 1, …] that broadcasts over (N, C, …). */
function perChannel(op: string, t: Tensor, c: number, rank: number, what: string): Tensor {
  if (sizeOf(t.dims) !== c) throw new OpError(op, `input '${what}' must hold ${c} values (one per channel), got [${t.dims.join(',')}]`);
  return { ...t, dims: [c, ...new Array<number>(Math.max(rank - 2, 0)).fill(1)] };
}

const invStd = (variance: Float64Array, eps: number): Float64Array => variance.map((v) => 1 / Math.sqrt(v + eps));

// ---- LayerNormalization ----

interface LayerNormAttrs {
  readonly axis: number;
  readonly epsilon: number;
  readonly stashType: number;
}

export const layerNormOp = defineOp<LayerNormAttrs>({
  op: 'LayerNormalization',
  attrs: (a) => ({ axis: a.int('axis', -1), epsilon: a.float('epsilon', 1e-5), stashType: a.int('stash_type', 1) }),
  infer: ([x], at) => {
    if (!x) return [null, null, null];
    const u = onnxDType('LayerNormalization', at.stashType);
    const stat = x.shape ? x.shape.map((d, i) => (i < (at.axis < 0 ? at.axis + x.shape!.length : at.axis) ? d : 1)) : null;
    return [x, tensorType(u, stat), tensorType(u, stat)];
  },
  run: (inputs, at) => {
    const op = 'LayerNormalization';
    const x = needFloat(op, need(op, inputs[0], 'X'));
    const rank = x.dims.length;
    const axis = normAxis(op, at.axis, rank);
    const axes = x.dims.map((_, i) => i).filter((i) => i >= axis);
    const plan = reducePlan(x.dims, axes, true);
    const xs = toNumbers(x);
    const { mean, variance } = moments(xs, plan);
    const inv = invStd(variance, at.epsilon);
    const y = normalize(xs, plan, mean, inv);
    affine(y, x.dims, need(op, inputs[1], 'Scale'), inputs[2]);
    const u = onnxDType(op, at.stashType);
    return [fromNumbers(x.type, x.dims, y), fromNumbers(u, plan.outDims, mean), fromNumbers(u, plan.outDims, inv)];
  },
});

// ---- RMSNormalization (opset 23) ----

export const rmsNormOp = defineOp<LayerNormAttrs>({
  op: 'RMSNormalization',
  attrs: (a) => ({ axis: a.int('axis', -1), epsilon: a.float('epsilon', 1e-5), stashType: a.int('stash_type', 1) }),
  infer: (inputs) => sameAsInput(inputs),
  run: (inputs, at) => {
    const op = 'RMSNormalization';
    const x = needFloat(op, need(op, inputs[0], 'X'));
    const axis = normAxis(op, at.axis, x.dims.length);
    const plan = reducePlan(x.dims, x.dims.map((_, i) => i).filter((i) => i >= axis), true);
    const xs = toNumbers(x);
    const { keep, red } = plan;
    // scale each group by 1/sqrt(mean(x²) + eps): moments without the mean shift
    const factor = new Float64Array(keep.length);
    for (let g = 0; g < keep.length; g++) {
      let s = 0;
      for (let j = 0; j < red.length; j++) s += xs[keep[g] + red[j]] ** 2;
      factor[g] = 1 / Math.sqrt(s / red.length + at.epsilon);
    }
    const y = normalize(xs, plan, new Float64Array(keep.length), factor);
    affine(y, x.dims, need(op, inputs[1], 'scale'));
    return [fromNumbers(x.type, x.dims, y)];
  },
});

// ---- GroupNormalization and InstanceNormalization ----

/**
 * Normalises (N, C, …) over groups of C/G consecutive channels and the spatial dims, via the
 * view (N, G, C/G·spatial). Scale/bias are per channel, or per group (GroupNormalization-18).
 */
function groupNorm(op: string, x: Tensor, groups: number, eps: number, scale: Tensor, bias: Tensor): Tensor {
  const [n, c] = x.dims;
  if (x.dims.length < 2) throw new OpError(op, `X must have rank ≥ 2 (N, C, …), got [${x.dims.join(',')}]`);
  if (groups <= 0 || c % groups !== 0) throw new OpError(op, `num_groups ${groups} must divide the ${c} channels`);
  const view = [n, groups, sizeOf(x.dims) / Math.max(n * groups, 1)];
  const plan = reducePlan(view, [2], true);
  const xs = toNumbers(x);
  const { mean, variance } = moments(xs, plan);
  const y = normalize(xs, plan, mean, invStd(variance, eps));
  const perGroup = sizeOf(scale.dims) === groups && groups !== c;
  const expand = (t: Tensor, what: string): Tensor => {
    if (!perGroup) return perChannel(op, t, c, x.dims.length, what);
    // a per-group value repeats over the group's channels
    const v = toNumbers(t);
    const full = new Float64Array(c).map((_, ch) => v[Math.floor(ch / (c / groups))]);
    return perChannel(op, fromNumbers('float64', [c], full), c, x.dims.length, what);
  };
  affine(y, x.dims, expand(scale, 'scale'), expand(bias, 'B'));
  return fromNumbers(x.type, x.dims, y);
}

export const groupNormOp = defineOp<{ numGroups: number; epsilon: number }>({
  op: 'GroupNormalization',
  attrs: (a) => ({ numGroups: a.int('num_groups', 0), epsilon: a.float('epsilon', 1e-5) }),
  infer: (inputs) => sameAsInput(inputs),
  run: (inputs, at) => {
    const op = 'GroupNormalization';
    const x = needFloat(op, need(op, inputs[0], 'X'));
    return [groupNorm(op, x, at.numGroups, at.epsilon, need(op, inputs[1], 'scale'), need(op, inputs[2], 'bias'))];
  },
});

export const instanceNormOp = defineOp<{ epsilon: number }>({
  op: 'InstanceNormalization',
  attrs: (a) => ({ epsilon: a.float('epsilon', 1e-5) }),
  infer: (inputs) => sameAsInput(inputs),
  run: (inputs, at) => {
    const op = 'InstanceNormalization';
    const x = needFloat(op, need(op, inputs[0], 'input'), 'input');
    return [groupNorm(op, x, x.dims[1] ?? 0, at.epsilon, need(op, inputs[1], 'scale'), need(op, inputs[2], 'B'))];
  },
});

// ---- MeanVarianceNormalization ----

export const mvnOp = defineOp<{ axes: readonly number[] }>({
  op: 'MeanVarianceNormalization',
  attrs: (a) => ({ axes: a.ints('axes', [0, 2, 3]) }),
  infer: (inputs) => sameAsInput(inputs),
  run: (inputs, at) => {
    const op = 'MeanVarianceNormalization';
    const x = needFloat(op, need(op, inputs[0], 'X'));
    const plan = reducePlan(x.dims, normAxes(op, at.axes, x.dims.length), true);
    const xs = toNumbers(x);
    const { mean, variance } = moments(xs, plan);
    // the ONNX function body divides by sqrt(var) + 1e-9, not sqrt(var + eps)
    const factor = variance.map((v) => 1 / (Math.sqrt(v) + 1e-9));
    return [fromNumbers(x.type, x.dims, normalize(xs, plan, mean, factor))];
  },
});

export const normOps: OpSpec[] = [layerNormOp, groupNormOp, instanceNormOp, mvnOp];
