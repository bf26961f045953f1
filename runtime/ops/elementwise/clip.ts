// Clip: bounds from the min/max attributes before opset 11, from optional scalar inputs after;
// any numeric type (64-bit ints compared exactly). When min > max every element becomes max.

import { isBigIntType, sizeOf, type Tensor } from '../../tensor';
import { OpError, defineOp } from '../spec';
import { inferSameShape } from './infer';
import { mapBigInts, mapNumbers, numView, type BigArray } from './numeric';
import { NUMERIC, need, needType } from './util';

interface ClipAttrs {
  /** opset < 11: the bounds are attributes */
  readonly min: number;
  readonly max: number;
  readonly fromInputs: boolean;
}

/** An optional one-element bound input of the data's type. */
function bound(x: Tensor, t: Tensor | undefined, what: string): Tensor | undefined {
  if (!t) return undefined;
  if (t.type !== x.type) throw new OpError('Clip', `input '${what}' must be ${x.type} like the input, got ${t.type}`);
  if (sizeOf(t.dims) !== 1) throw new OpError('Clip', `input '${what}' must be a scalar, got shape [${t.dims.join(',')}]`);
  return t;
}

export const clipOp = defineOp<ClipAttrs>({
  op: 'Clip',
  attrs: (a, opset) => ({ min: a.float('min', -Infinity), max: a.float('max', Infinity), fromInputs: opset >= 11 }),
  infer: (inputs) => inferSameShape(inputs),
  run: (inputs, at) => {
    const x = needType('Clip', need('Clip', inputs[0], 'input'), NUMERIC, 'input');
    if (!at.fromInputs) return [mapNumbers(x, (v) => Math.min(Math.max(v, at.min), at.max))];
    const lo = bound(x, inputs[1], 'min');
    const hi = bound(x, inputs[2], 'max');
    if (isBigIntType(x.type)) {
      const l = lo ? (lo.data as BigArray)[0] : undefined;
      const h = hi ? (hi.data as BigArray)[0] : undefined;
      return [mapBigInts(x, (v) => {
        const w = l !== undefined && v < l ? l : v;
        return h !== undefined && w > h ? h : w;
      })];
    }
    const l = lo ? numView(lo)[0] : -Infinity;
    const h = hi ? numView(hi)[0] : Infinity;
    return [mapNumbers(x, (v) => Math.min(Math.max(v, l), h))];
  },
});
