// Binary arithmetic and bitwise ops with numpy broadcasting (Add, Sub, Mul, Div, Mod, Pow,
// BitShift, BitwiseAnd/Or/Xor, PRelu): a pair of scalar kernels per op, one over numbers (float64
// or exact narrow ints, wrapped by the store like C) and one over exact 64-bit integers.

import { isBigIntType, type DType } from '../../tensor';
import { NotSupportedOpError, OpError, defineOp, type Attrs, type OpSpec } from '../spec';
import { inferBroadcast } from './infer';
import { INTEGER, NUMERIC, SIGNED, isIntType, need, needSameType, needType, type Accept } from './util';
import { zipBigInts, zipNumbers, type RunKernel } from './zip';

interface Kernels {
  readonly num: (x: number, y: number) => number;
  readonly big?: (x: bigint, y: bigint) => bigint;
  /** the same as `num` as a whole-run loop, for the ops real models run most */
  readonly run?: RunKernel;
}

// One loop per hot op (written out, since a shared loop calling `num` per element is 3x slower)
const addRun: RunKernel = (out, i, A, pa, sa, B, pb, sb, n) => {
  for (let j = 0; j < n; j++, pa += sa, pb += sb) out[i + j] = A[pa] + B[pb];
};
const subRun: RunKernel = (out, i, A, pa, sa, B, pb, sb, n) => {
  for (let j = 0; j < n; j++, pa += sa, pb += sb) out[i + j] = A[pa] - B[pb];
};
const mulRun: RunKernel = (out, i, A, pa, sa, B, pb, sb, n) => {
  for (let j = 0; j < n; j++, pa += sa, pb += sb) out[i + j] = A[pa] * B[pb];
};
const divRun: RunKernel = (out, i, A, pa, sa, B, pb, sb, n) => {
  for (let j = 0; j < n; j++, pa += sa, pb += sb) out[i + j] = A[pa] / B[pb];
};

function arith<P>(op: string, accept: Accept, parse: (a: Attrs) => P, kernels: (p: P, type: DType) => Kernels): OpSpec<P> {
  return defineOp<P>({
    op,
    attrs: parse,
    infer: (inputs) => inferBroadcast(op, inputs),
    run: (inputs, p) => {
      const a = needType(op, need(op, inputs[0], 'A'), accept, 'A');
      const b = need(op, inputs[1], 'B');
      const t = needSameType(op, [a, b]);
      const k = kernels(p, t);
      if (isBigIntType(t)) {
        if (!k.big) throw new NotSupportedOpError(op, `${t} inputs are not supported`);
        return [zipBigInts(op, a, b, t as 'int64' | 'uint64', k.big)];
      }
      return [zipNumbers(op, a, b, t, k.num, k.run)];
    },
  });
}

const none = (): null => null;

/** Python's modulo: the result takes the divisor's sign. */
function pyMod(x: number, y: number): number {
  const r = x % y;
  return r !== 0 && (r < 0) !== (y < 0) ? r + y : r;
}
function pyModBig(x: bigint, y: bigint): bigint {
  if (y === 0n) return 0n;
  const r = x % y;
  return r !== 0n && (r < 0n) !== (y < 0n) ? r + y : r;
}

/** Integer power wrapped to 64 bits as the store will (square-and-multiply keeps it bounded). */
export function powBig(x: bigint, y: bigint): bigint {
  if (y < 0n) return x === 1n ? 1n : x === -1n ? (y % 2n === 0n ? 1n : -1n) : 0n;
  let r = 1n;
  let base = BigInt.asUintN(64, x);
  for (let e = y; e > 0n; e >>= 1n) {
    if (e & 1n) r = BigInt.asUintN(64, r * base);
    base = BigInt.asUintN(64, base * base);
  }
  return r;
}

const UNSIGNED: Accept = {
  ok: (t) => t === 'uint8' || t === 'uint16' || t === 'uint32' || t === 'uint64',
  says: 'an unsigned integer tensor',
};

function shiftDirection(a: Attrs): 'LEFT' | 'RIGHT' {
  const d = a.string('direction');
  if (d !== 'LEFT' && d !== 'RIGHT') throw new OpError('BitShift', `direction must be 'LEFT' or 'RIGHT', got ${d === undefined ? 'none' : `'${d}'`}`);
  return d;
}

/** Int32 products overflow float64's exact range; Math.imul gives their low 32 bits. */
const is32 = (t: DType) => t === 'int32' || t === 'uint32';

/** Pow: base and exponent may differ in type; the output takes the base's (ints truncate). */
const pow = defineOp<null>({
  op: 'Pow',
  attrs: none,
  infer: (inputs) => inferBroadcast('Pow', inputs, inputs[0]?.dtype),
  run: (inputs) => {
    const x = needType('Pow', need('Pow', inputs[0], 'X'), NUMERIC, 'X');
    const y = needType('Pow', need('Pow', inputs[1], 'Y'), NUMERIC, 'Y');
    if (isBigIntType(x.type) && isBigIntType(y.type)) return [zipBigInts('Pow', x, y, x.type as 'int64' | 'uint64', powBig)];
    return [zipNumbers('Pow', x, y, x.type, Math.pow)];
  },
});

export const binaryOps: OpSpec[] = [
  pow,
  arith('Add', NUMERIC, none, () => ({ num: (x, y) => x + y, big: (x, y) => x + y, run: addRun })),
  arith('Sub', NUMERIC, none, () => ({ num: (x, y) => x - y, big: (x, y) => x - y, run: subRun })),
  arith('Mul', NUMERIC, none, (_, t) => is32(t)
    ? { num: Math.imul, big: (x, y) => x * y }
    : { num: (x, y) => x * y, big: (x, y) => x * y, run: mulRun }),
  arith('Div', NUMERIC, none, (_, t) => isIntType(t)
    ? { num: (x, y) => (y === 0 ? 0 : Math.trunc(x / y)), big: (x, y) => (y === 0n ? 0n : x / y) }
    : { num: (x, y) => x / y, big: (x, y) => (y === 0n ? 0n : x / y), run: divRun }),
  arith('Mod', NUMERIC, (a) => a.int('fmod', 0) !== 0, (fmod) => ({
    num: fmod ? (x, y) => x % y : pyMod,
    big: fmod ? (x, y) => (y === 0n ? 0n : x % y) : pyModBig,
  })),
  arith('BitShift', UNSIGNED, shiftDirection, (dir) => dir === 'LEFT'
    ? { num: (x, y) => (y >= 32 ? 0 : x << y), big: (x, y) => (y >= 64n ? 0n : x << y) }
    : { num: (x, y) => (y >= 32 ? 0 : x >>> y), big: (x, y) => (y >= 64n ? 0n : x >> y) }),
  arith('BitwiseAnd', INTEGER, none, () => ({ num: (x, y) => x & y, big: (x, y) => x & y })),
  arith('BitwiseOr', INTEGER, none, () => ({ num: (x, y) => x | y, big: (x, y) => x | y })),
  arith('BitwiseXor', INTEGER, none, () => ({ num: (x, y) => x ^ y, big: (x, y) => x ^ y })),
  arith('PRelu', SIGNED, none, () => ({ num: (x, s) => (x < 0 ? s * x : x), big: (x, s) => (x < 0n ? s * x : x) })),
] as OpSpec[];
