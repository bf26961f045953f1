// CumSum and CumProd: running sums / products along one axis, optionally exclusive (shifted
// by one) and/or reversed.

import { fromNumbers, isBigIntType, tensor, toNumbers, type Tensor } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, NotSupportedOpError, type OpSpec } from '../spec';
import { need, sameAsInput, scalarInt, splitAt } from './util';

interface CumSumAttrs {
  readonly exclusive: boolean;
  readonly reverse: boolean;
}

/** The scan itself, over number or bigint storage alike. */
function scan<T extends number | bigint>(
  x: ArrayLike<T>, out: { [i: number]: T }, zero: T, add: (a: T, b: T) => T,
  dims: readonly number[], axis: number, at: CumSumAttrs,
): void {
  const { outer, len, inner } = splitAt(dims, axis);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      let acc = zero;
      for (let s = 0; s < len; s++) {
        const k = at.reverse ? len - 1 - s : s;
        const p = base + k * inner;
        if (at.exclusive) {
          out[p] = acc;
          acc = add(acc, x[p]);
        } else {
          acc = add(acc, x[p]);
          out[p] = acc;
        }
      }
    }
  }
}

/** A running fold along one axis; CumSum and CumProd differ only in identity and step. */
function scanSpec(op: string, zero: number, add: (a: number, b: number) => number, addBig: (a: bigint, b: bigint) => bigint): OpSpec<CumSumAttrs> {
  return defineOp<CumSumAttrs>({
    op,
    attrs: (a) => ({ exclusive: a.int('exclusive', 0) !== 0, reverse: a.int('reverse', 0) !== 0 }),
    infer: (inputs) => sameAsInput(inputs),
    run: (inputs, at) => {
      const x = need(op, inputs[0], 'x');
      if (x.type === 'bool' || x.type === 'string') throw new NotSupportedOpError(op, `${x.type} input is not supported`);
      const axis = normAxis(op, scalarInt(op, inputs[1], 'axis'), x.dims.length);
      if (isBigIntType(x.type)) {
        // 64-bit integers stay exact
        const src = x.data as BigInt64Array;
        const out = new (src.constructor as BigInt64ArrayConstructor)(src.length);
        scan<bigint>(src, out, BigInt(zero), addBig, x.dims, axis, at);
        return [tensor(x.type, x.dims, out) as Tensor];
      }
      const xs = toNumbers(x);
      const out = new Float64Array(xs.length);
      scan<number>(xs, out, zero, add, x.dims, axis, at);
      return [fromNumbers(x.type, x.dims, out)];
    },
  });
}

export const cumSumOp = scanSpec('CumSum', 0, (a, b) => a + b, (a, b) => a + b);
/** CumProd (opset 26); not in the registered list unless the lead adds it (see index.ts). */
export const cumProdOp = scanSpec('CumProd', 1, (a, b) => a * b, (a, b) => a * b);

export const cumOps: OpSpec[] = [cumSumOp];
