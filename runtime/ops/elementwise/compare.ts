// Comparisons (Equal, Greater, Less, GreaterOrEqual, LessOrEqual) and logical And/Or/Xor: bool
// outputs with numpy broadcasting. Elements compare raw (bigints exactly, strings for Equal).

import type { Tensor } from '../../tensor';
import { isBigIntType } from '../../tensor';
import { defineOp, type OpSpec } from '../spec';
import { inferBroadcast } from './infer';
import { numView, type BigArray } from './numeric';
import { BOOL, NUMERIC, isNumericType, need, needSameType, needType, type Accept } from './util';
import { zipTest } from './zip';

type Scalar = number | bigint | string;

/** The elements of a tensor in the form that compares exactly: strings, bigints or numbers. */
function rawElements(t: Tensor): ArrayLike<Scalar> {
  if (t.type === 'string') return t.data as string[];
  if (isBigIntType(t.type)) return t.data as BigArray;
  return numView(t);
}

function compare(op: string, accept: Accept, test: (x: Scalar, y: Scalar) => boolean): OpSpec<null> {
  return defineOp<null>({
    op,
    attrs: () => null,
    infer: (inputs) => inferBroadcast(op, inputs, 'bool'),
    run: (inputs) => {
      const a = needType(op, need(op, inputs[0], 'A'), accept, 'A');
      const b = need(op, inputs[1], 'B');
      needSameType(op, [a, b]);
      return [zipTest(op, a, b, rawElements, test)];
    },
  });
}

const ANY: Accept = { ok: (t) => isNumericType(t) || t === 'bool' || t === 'string', says: 'a numeric, bool or string tensor' };

export const compareOps: OpSpec[] = [
  compare('Equal', ANY, (x, y) => x === y),
  compare('Greater', NUMERIC, (x, y) => x > y),
  compare('Less', NUMERIC, (x, y) => x < y),
  compare('GreaterOrEqual', NUMERIC, (x, y) => x >= y),
  compare('LessOrEqual', NUMERIC, (x, y) => x <= y),
  compare('And', BOOL, (x, y) => x !== 0 && y !== 0),
  compare('Or', BOOL, (x, y) => x !== 0 || y !== 0),
  compare('Xor', BOOL, (x, y) => (x !== 0) !== (y !== 0)),
] as OpSpec[];
