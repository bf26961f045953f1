// Variadic Max, Min, Sum and Mean: a left fold of a broadcasting binary kernel over the inputs,
// so each step rounds to the inputs' type as numpy does.

import { isBigIntType, type Tensor } from '../../tensor';
import { NotSupportedOpError, OpError, defineOp, type OpSpec } from '../spec';
import { inferBroadcast } from './infer';
import { mapNumbers } from './numeric';
import { FLOAT, NUMERIC, needSameType, needType, type Accept } from './util';
import { zipBigInts, zipNumbers } from './zip';

interface Fold {
  readonly num: (x: number, y: number) => number;
  readonly big?: (x: bigint, y: bigint) => bigint;
  /** applied to the folded result, given the input count (Mean divides) */
  readonly finish?: (acc: Tensor, count: number) => Tensor;
}

function variadic(op: string, accept: Accept, fold: Fold): OpSpec<null> {
  return defineOp<null>({
    op,
    attrs: () => null,
    infer: (inputs) => inferBroadcast(op, inputs),
    run: (inputs) => {
      const xs = inputs.filter((t): t is Tensor => t !== undefined);
      if (xs.length === 0) throw new OpError(op, 'needs at least one input');
      const t = needSameType(op, xs.map((x, i) => needType(op, x, accept, `data_${i}`)));
      let acc = xs[0];
      for (const x of xs.slice(1)) {
        if (isBigIntType(t)) {
          if (!fold.big) throw new NotSupportedOpError(op, `${t} inputs are not supported`);
          acc = zipBigInts(op, acc, x, t as 'int64' | 'uint64', fold.big);
        } else {
          acc = zipNumbers(op, acc, x, t, fold.num);
        }
      }
      return [fold.finish ? fold.finish(acc, xs.length) : acc];
    },
  });
}

// Math.max/min propagate NaN, like numpy.maximum/minimum
export const variadicOps: OpSpec[] = [
  variadic('Max', NUMERIC, { num: Math.max, big: (x, y) => (x > y ? x : y) }),
  variadic('Min', NUMERIC, { num: Math.min, big: (x, y) => (x < y ? x : y) }),
  variadic('Sum', FLOAT, { num: (x, y) => x + y }),
  variadic('Mean', FLOAT, { num: (x, y) => x + y, finish: (acc, n) => mapNumbers(acc, (v) => v / n) }),
] as OpSpec[];
