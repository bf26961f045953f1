// Attribute-free unary ops as one table of scalar functions: math (Abs … Atanh), the simple
// activations (Relu, Sigmoid, Softplus, …), the predicates IsNaN/IsInf and Not/BitwiseNot.

import { isBigIntType, type DType } from '../../tensor';
import { defineOp, type OpSpec } from '../spec';
import { erf, roundHalfEven } from './math';
import { inferSameShape } from './infer';
import { mapBigInts, mapNumbers } from './numeric';
import { BOOL, FLOAT, INTEGER, NUMERIC, SIGNED, need, needType, type Accept } from './util';

interface UnaryDef {
  readonly op: string;
  readonly accept: Accept;
  /** the kernel over numbers (float64, or exact narrow ints) */
  readonly f: (x: number) => number;
  /** the exact kernel for int64/uint64, where the op takes them */
  readonly big?: (x: bigint) => bigint;
  /** output dtype when it is not the input's */
  readonly out?: DType;
}

const softplus = (x: number) => (x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

const UNARY: readonly UnaryDef[] = [
  { op: 'Abs', accept: NUMERIC, f: Math.abs, big: (x) => (x < 0n ? -x : x) },
  { op: 'Neg', accept: SIGNED, f: (x) => -x, big: (x) => -x },
  { op: 'Sign', accept: NUMERIC, f: Math.sign, big: (x) => (x > 0n ? 1n : x < 0n ? -1n : 0n) },
  { op: 'Sqrt', accept: FLOAT, f: Math.sqrt },
  { op: 'Exp', accept: FLOAT, f: Math.exp },
  { op: 'Log', accept: FLOAT, f: Math.log },
  { op: 'Reciprocal', accept: FLOAT, f: (x) => 1 / x },
  { op: 'Floor', accept: FLOAT, f: Math.floor },
  { op: 'Ceil', accept: FLOAT, f: Math.ceil },
  { op: 'Round', accept: FLOAT, f: roundHalfEven },
  { op: 'Erf', accept: FLOAT, f: erf },
  { op: 'Sin', accept: FLOAT, f: Math.sin },
  { op: 'Cos', accept: FLOAT, f: Math.cos },
  { op: 'Tan', accept: FLOAT, f: Math.tan },
  { op: 'Asin', accept: FLOAT, f: Math.asin },
  { op: 'Acos', accept: FLOAT, f: Math.acos },
  { op: 'Atan', accept: FLOAT, f: Math.atan },
  { op: 'Sinh', accept: FLOAT, f: Math.sinh },
  { op: 'Cosh', accept: FLOAT, f: Math.cosh },
  { op: 'Tanh', accept: FLOAT, f: Math.tanh },
  { op: 'Asinh', accept: FLOAT, f: Math.asinh },
  { op: 'Acosh', accept: FLOAT, f: Math.acosh },
  { op: 'Atanh', accept: FLOAT, f: Math.atanh },
  { op: 'Relu', accept: SIGNED, f: (x) => (x > 0 ? x : 0), big: (x) => (x > 0n ? x : 0n) },
  { op: 'Sigmoid', accept: FLOAT, f: (x) => 1 / (1 + Math.exp(-x)) },
  { op: 'Softsign', accept: FLOAT, f: (x) => x / (1 + Math.abs(x)) },
  { op: 'Softplus', accept: FLOAT, f: softplus },
  { op: 'Mish', accept: FLOAT, f: (x) => x * Math.tanh(softplus(x)) },
  { op: 'HardSwish', accept: FLOAT, f: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)) },
  { op: 'IsNaN', accept: FLOAT, f: (x) => (Number.isNaN(x) ? 1 : 0), out: 'bool' },
  { op: 'Not', accept: BOOL, f: (x) => (x ? 0 : 1) },
  // ~ on a number gives the int32 complement; the store into the input's own array type wraps it
  { op: 'BitwiseNot', accept: INTEGER, f: (x) => ~x, big: (x) => ~x },
];

function unarySpec(d: UnaryDef): OpSpec<null> {
  return defineOp<null>({
    op: d.op,
    attrs: () => null,
    infer: (inputs) => inferSameShape(inputs, d.out),
    run: (inputs) => {
      const x = needType(d.op, need(d.op, inputs[0], 'X'), d.accept);
      return [isBigIntType(x.type) && d.big ? mapBigInts(x, d.big) : mapNumbers(x, d.f, d.out)];
    },
  });
}

interface IsInfAttrs {
  readonly positive: boolean;
  readonly negative: boolean;
}

const isInf = defineOp<IsInfAttrs>({
  op: 'IsInf',
  attrs: (a) => ({ positive: a.int('detect_positive', 1) !== 0, negative: a.int('detect_negative', 1) !== 0 }),
  infer: (inputs) => inferSameShape(inputs, 'bool'),
  run: (inputs, at) => {
    const x = needType('IsInf', need('IsInf', inputs[0], 'X'), FLOAT);
    return [mapNumbers(x, (v) => ((v === Infinity && at.positive) || (v === -Infinity && at.negative) ? 1 : 0), 'bool')];
  },
});

export const unaryOps: OpSpec[] = [...UNARY.map(unarySpec), isInf] as OpSpec[];
