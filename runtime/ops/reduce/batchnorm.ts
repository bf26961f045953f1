// BatchNormalization: per-channel (N, C, …) normalisation with given statistics (inference), or
// with the batch's own statistics plus updated running averages (training_mode, opset ≥ 14).

import { fromNumbers, sizeOf, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type OpSpec } from '../spec';
import { need, needFloat, reducePlan, tensorType } from './util';
import { moments } from './norm';

interface BatchNormAttrs {
  readonly epsilon: number;
  readonly momentum: number;
  readonly training: boolean;
}

export const batchNormOp = defineOp<BatchNormAttrs>({
  op: 'BatchNormalization',
  attrs: (a, opset) => ({
    epsilon: a.float('epsilon', 1e-5),
    momentum: a.float('momentum', 0.9),
    // before opset 14 the op had no training_mode; exported inference graphs use is_test / defaults
    training: opset >= 14 && a.int('training_mode', 0) !== 0,
  }),
  infer: ([x, s]) => {
    const stat = s ? tensorType(s.dtype, s.shape) : null;
    return [x ?? null, stat, stat, stat, stat];
  },
  run: (inputs, at) => {
    const op = 'BatchNormalization';
    const x = needFloat(op, need(op, inputs[0], 'X'));
    const [scale, bias, inMean, inVar] = [1, 2, 3, 4].map((i) => toNumbers(need(op, inputs[i], ['', 'scale', 'B', 'input_mean', 'input_var'][i])));
    const c = x.dims[1] ?? 1;
    const inner = sizeOf(x.dims.slice(2));
    // parameters are per channel ([C]) or, for the pre-opset-9 spatial=0 form, per feature ([C, D1, …])
    const width = scale.length;
    if (width !== c && width !== c * inner) throw new OpError(op, `scale must hold ${c} values (one per channel), got ${width}`);
    const perFeature = width !== c;

    let mean = inMean;
    let variance = inVar;
    const outs: Tensor[] = [];
    if (at.training) {
      // statistics over every axis but the channel axis
      const axes = x.dims.map((_, i) => i).filter((i) => i !== 1);
      const stats = moments(toNumbers(x), reducePlan(x.dims, axes, false));
      mean = stats.mean;
      variance = stats.variance;
      const m = at.momentum;
      const statType = need(op, inputs[3], 'input_mean').type;
      outs.push(
        fromNumbers(statType, [c], inMean.map((v, i) => v * m + mean[i] * (1 - m))),
        fromNumbers(statType, [c], inVar.map((v, i) => v * m + variance[i] * (1 - m))),
      );
    }
    const k = new Float64Array(width);
    const shift = new Float64Array(width);
    for (let j = 0; j < width; j++) {
      k[j] = scale[j] / Math.sqrt(variance[j] + at.epsilon);
      shift[j] = bias[j] - mean[j] * k[j];
    }
    const xs = toNumbers(x);
    const y = new Float64Array(xs.length);
    const batch = xs.length / Math.max(c * inner, 1);
    for (let b = 0, i = 0; b < batch; b++) {
      for (let ch = 0; ch < c; ch++) {
        for (let s = 0; s < inner; s++, i++) {
          const p = perFeature ? ch * inner + s : ch;
          y[i] = xs[i] * k[p] + shift[p];
        }
      }
    }
    return [fromNumbers(x.type, x.dims, y), ...outs];
  },
});

export const batchNormOps: OpSpec[] = [batchNormOp];
