// Elementwise kernels for every numeric dtype (assembly/generic.ts, cast.ts): arithmetic and
// bitwise binary ops beyond float32's vector kernels, comparisons and logical ops (bool out),
// Where, the integer/sign/predicate unary ops, and Cast/CastLike. Inputs are read through their
// layout's strides like the float32 kernels'.

import { miniFloatFormat, miniFloatTable } from '../../../float8';
import { byteSize, isMiniFloatType, stridesOf, type DType, type MiniFloatType } from '../../../tensor';
import { GENERIC, GENERIC_UNARY, TYPE } from '../codes';
import { broadcasting, Calls, followsFirst, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import { collapse, memoryOrder, type Layout, type ValueDesc } from '../layout';
import { broadcastStrides } from './broadcast';

/** y = a op b for any element type, over outDims in `layout` (comparisons write bool). */
export function emitAnyBinary(c: Calls, op: number, a: Addr, ad: ValueDesc, b: Addr, bd: ValueDesc, y: Addr, outDims: readonly number[], layout: Layout): void {
  if (outDims.some((d) => d === 0)) return;
  const order = memoryOrder(layout, outDims.length);
  const dims = order.map((k) => outDims[k]);
  const sa = broadcastStrides(ad, outDims), sb = broadcastStrides(bd, outDims);
  const v = collapse(dims, [order.map((k) => sa[k]), order.map((k) => sb[k]), stridesOf(dims)]);
  c.call('binary_any', TYPE[ad.dtype]!, op, a, b, y, v.dims.length, c.ints(v.dims), c.ints(v.strides[0]), c.ints(v.strides[1]));
}

/** A binary op on any one element type; `accept` says which. */
export function anyBinary(op: number, accept: (t: DType) => boolean): WasmKernel {
  return {
    layouts: broadcasting,
    lower: ({ node, inputs, outputs, layout }: LowerArgs): Lowering => {
      const [a, b] = inputs;
      if (!a || !b || a.dtype !== b.dtype || TYPE[a.dtype] === undefined || !accept(a.dtype)) return unsupported(`no kernel for ${a?.dtype} and ${b?.dtype}`);
      if (node.attrs.has('kiln_activation')) return unsupported('fused activation not applicable');
      const out = outputs[0].dims;
      const c = new Calls();
      emitAnyBinary(c, op, input(0), a, input(1), b, output(0), out, layout);
      return c.done([layout]);
    },
  };
}

export function isInt(t: DType): boolean {
  return /^u?int(8|16|32|64)$/.test(t);
}
export function isNumeric(t: DType): boolean {
  return TYPE[t] !== undefined && t !== 'bool';
}
function anyType(t: DType): boolean {
  return TYPE[t] !== undefined;
}
function isBool(t: DType): boolean {
  return t === 'bool';
}

/** Where(cond, a, b) with broadcasting, for any element size. */
const where: WasmKernel = {
  layouts: broadcasting,
  lower: ({ inputs, outputs, layout }: LowerArgs): Lowering => {
    const [cond, a, b] = inputs;
    if (!cond || !a || !b || cond.dtype !== 'bool' || a.dtype !== b.dtype || a.dtype === 'string') return unsupported('no kernel for these inputs');
    const out = outputs[0].dims;
    const c = new Calls();
    if (out.some((d) => d === 0)) return c.done([layout]);
    const order = memoryOrder(layout, out.length);
    const dims = order.map((k) => out[k]);
    const [sc, sa, sb] = [cond, a, b].map((d) => {
      const s = broadcastStrides(d, out);
      return order.map((k) => s[k]);
    });
    const v = collapse(dims, [sc, sa, sb, stridesOf(dims)]);
    c.call('where_any', byteSize(a.dtype), input(0), input(1), input(2), output(0), v.dims.length, c.ints(v.dims), c.ints(v.strides[0]), c.ints(v.strides[1]), c.ints(v.strides[2]));
    return c.done([layout]);
  },
};

/** A unary op of assembly/generic.ts; the predicates write bool. */
function anyUnary(op: (args: LowerArgs) => number | string, accept: (t: DType) => boolean): WasmKernel {
  return {
    layouts: followsFirst,
    lower: (args: LowerArgs): Lowering => {
      const x = args.inputs[0];
      if (!x || TYPE[x.dtype] === undefined || !accept(x.dtype) || x.dtype === 'float16' || x.dtype === 'bfloat16') return unsupported(`no kernel for ${x?.dtype}`);
      const code = op(args);
      if (typeof code === 'string') return unsupported(code);
      const n = x.dims.reduce((p, d) => p * d, 1);
      const c = new Calls();
      if (n > 0) c.call('unary_any', TYPE[x.dtype]!, code, input(0), output(0), n);
      return c.done([x.layout]);
    },
  };
}

/** Narrow floats the cast kernels convert (float8e8m0's power-of-two rounding modes are not here). */
type Narrow = Exclude<MiniFloatType, 'float8e8m0'>;
const isNarrow = (t: DType): t is Narrow => isMiniFloatType(t) && t !== 'float8e8m0';

/** Cast and CastLike between the numeric types, bool, and the float8/float4 formats. */
const cast: WasmKernel = {
  layouts: followsFirst,
  lower: ({ node, attrs, inputs, outputs }: LowerArgs): Lowering => {
    const x = inputs[0];
    const to = outputs[0].dtype;
    if (!x) return unsupported('needs an input');
    if (node.attrs.has('kiln_activation')) return unsupported('fused activation not applicable');
    if (x.dtype === to) return { kind: 'alias', input: 0 };
    const n = x.dims.reduce((p, d) => p * d, 1);
    const c = new Calls();
    if (TYPE[x.dtype] !== undefined && isNarrow(to)) {
      const f = miniFloatFormat(to);
      const max = miniFloatTable(to)[f.maxBits];
      const saturate = (attrs as { saturate?: boolean } | null)?.saturate ?? true;
      if (n > 0) {
        c.call('cast_to_mini', TYPE[x.dtype]!, input(0), output(0), n, f.ebits, f.mbits, f.bias, max, f.maxBits, f.nanBits, f.overflowBits,
          f.overflowSigned ? 1 : 0, f.uz ? 1 : 0, saturate ? 1 : 0);
      }
      return c.done([x.layout]);
    }
    if (isNarrow(x.dtype) && TYPE[to] !== undefined) {
      if (n > 0) c.call('cast_from_mini', c.const(Float32Array.from(miniFloatTable(x.dtype))), input(0), TYPE[to]!, output(0), n);
      return c.done([x.layout]);
    }
    if (TYPE[x.dtype] === undefined || TYPE[to] === undefined) return unsupported(`no kernel from ${x.dtype} to ${to}`);
    if (n > 0) c.call('cast', TYPE[x.dtype]!, TYPE[to]!, input(0), output(0), n);
    return c.done([x.layout]);
  },
};

export const genericKernels: Record<string, WasmKernel> = {
  Equal: anyBinary(GENERIC.Equal, anyType),
  Less: anyBinary(GENERIC.Less, isNumeric),
  LessOrEqual: anyBinary(GENERIC.LessOrEqual, isNumeric),
  Greater: anyBinary(GENERIC.Greater, isNumeric),
  GreaterOrEqual: anyBinary(GENERIC.GreaterOrEqual, isNumeric),
  And: anyBinary(GENERIC.And, isBool),
  Or: anyBinary(GENERIC.Or, isBool),
  Xor: anyBinary(GENERIC.Xor, isBool),
  BitwiseAnd: anyBinary(GENERIC.BitwiseAnd, isInt),
  BitwiseOr: anyBinary(GENERIC.BitwiseOr, isInt),
  BitwiseXor: anyBinary(GENERIC.BitwiseXor, isInt),
  BitShift: {
    layouts: broadcasting,
    lower: (args) => anyBinary((args.attrs as string) === 'LEFT' ? GENERIC.BitShiftLeft : GENERIC.BitShiftRight, isInt).lower(args),
  },
  Where: where,
  Not: anyUnary(() => GENERIC_UNARY.Not, isBool),
  BitwiseNot: anyUnary(() => GENERIC_UNARY.BitwiseNot, isInt),
  IsNaN: anyUnary(() => GENERIC_UNARY.IsNaN, (t) => t === 'float32' || t === 'float64'),
  IsInf: anyUnary(({ attrs }) => {
    const { positive, negative } = attrs as { positive: boolean; negative: boolean };
    return positive && negative ? GENERIC_UNARY.IsInf : positive ? GENERIC_UNARY.IsPosInf : negative ? GENERIC_UNARY.IsNegInf : 'detects nothing';
  }, (t) => t === 'float32' || t === 'float64'),
  Cast: cast,
  CastLike: cast,
};

/** The integer forms of the ops whose float32 forms are vector kernels (elementwise.ts). */
export const intUnary = {
  Abs: anyUnary(() => GENERIC_UNARY.Abs, isNumeric),
  Neg: anyUnary(() => GENERIC_UNARY.Neg, isNumeric),
  Sign: anyUnary(() => GENERIC_UNARY.Sign, isNumeric),
  Relu: anyUnary(() => GENERIC_UNARY.Relu, isNumeric),
};
