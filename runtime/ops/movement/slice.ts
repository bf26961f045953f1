// Slice: strided windows along chosen axes (attribute form before opset 10, inputs from 10),
// with negative steps and numpy-style clamping of out-of-range starts/ends such as INT64_MAX.

import { stridesOf, type Tensor } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { ints, need, normAxes, stridedIndex, take, tensorType } from './util';

export interface SliceSpec {
  readonly starts: readonly number[];
  readonly ends: readonly number[];
  readonly axes?: readonly number[];
  readonly steps?: readonly number[];
}

/** Clamped start and output length of one axis, as ONNX specifies. */
export function window(dim: number, start: number, end: number, step: number): [number, number] {
  if (step === 0) throw new OpError('Slice', 'step must not be 0');
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  return [s, Math.max(0, Math.ceil((e - s) / step))];
}

export function sliceTensor(t: Tensor, spec: SliceSpec): Tensor {
  const rank = t.dims.length;
  const n = spec.starts.length;
  if (spec.ends.length !== n) throw new OpError('Slice', `starts and ends differ in length (${n} vs ${spec.ends.length})`);
  const axes = normAxes('Slice', spec.axes ?? Array.from({ length: n }, (_, i) => i), rank);
  const steps = spec.steps ?? new Array<number>(n).fill(1);
  if (axes.length !== n || steps.length !== n) throw new OpError('Slice', 'starts, ends, axes and steps must have one entry per sliced axis');
  const inStrides = stridesOf(t.dims);
  const outDims = [...t.dims];
  const strides = [...inStrides];
  let offset = 0;
  axes.forEach((a, i) => {
    const [s, len] = window(t.dims[a], spec.starts[i], spec.ends[i], steps[i]);
    outDims[a] = len;
    strides[a] = inStrides[a] * steps[i];
    if (len > 0) offset += s * inStrides[a];
  });
  return take(t, outDims, stridedIndex(outDims, strides, offset));
}

const slice = defineOp({
  op: 'Slice',
  attrs: (a, opset) =>
    opset < 10 ? { starts: a.ints('starts'), ends: a.ints('ends'), axes: a.ints('axes') } : { starts: undefined, ends: undefined, axes: undefined },
  infer: ([x]) => [x ? tensorType(x.dtype, x.shape ? x.shape.map(() => null) : null) : null],
  run: ([x, starts, ends, axes, steps], attrs) => {
    const t = need('Slice', x, 'data');
    if (attrs.starts || attrs.ends) {
      if (!attrs.starts || !attrs.ends) throw new OpError('Slice', "attributes 'starts' and 'ends' are required");
      return [sliceTensor(t, { starts: attrs.starts, ends: attrs.ends, axes: attrs.axes })];
    }
    return [
      sliceTensor(t, {
        starts: ints(need('Slice', starts, 'starts')),
        ends: ints(need('Slice', ends, 'ends')),
        axes: axes ? ints(axes) : undefined,
        steps: steps ? ints(steps) : undefined,
      }),
    ];
  },
});

export const sliceOps = [slice];
