// Elementwise ops on float32: binary ops with numpy broadcasting (and their variadic forms, folded
// over the output shape) through binary_f32, with any fused activation in the epilogue, and the
// unary math and activation ops through unary_f32. Both work in either layout, the one the
// layout-choice pass picks; a binary op reads broadcast inputs through strides in theirs.

import { byteSize, stridesOf } from '../../../tensor';
import { epilogueArgs, epilogueOf, NO_EPILOGUE, type Epilogue } from '../activation';
import { BINARY, GENERIC, TYPE, UNARY } from '../codes';
import { broadcasting, Calls, followsFirst, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import { collapse, memoryDims, memoryOrder, type Layout, type ValueDesc } from '../layout';
import { broadcastStrides } from './broadcast';
import { copyStrided } from './copy';
import { anyBinary, emitAnyBinary, intUnary, isNumeric } from './generic';

/** y = act(a op b) over outDims, y contiguous in `layout`. */
export function emitBinary(
  c: Calls, op: number, a: Addr, ad: ValueDesc, b: Addr, bd: ValueDesc, y: Addr, outDims: readonly number[], layout: Layout, epi: Epilogue,
): void {
  if (outDims.some((d) => d === 0)) return;
  const order = memoryOrder(layout, outDims.length);
  const dims = order.map((k) => outDims[k]);
  const sa = broadcastStrides(ad, outDims), sb = broadcastStrides(bd, outDims);
  const v = collapse(dims, [order.map((k) => sa[k]), order.map((k) => sb[k]), stridesOf(dims)]);
  c.call('binary_f32', op, a, b, y, v.dims.length, c.ints(v.dims), c.ints(v.strides[0]), c.ints(v.strides[1]), ...epilogueArgs(epi));
}

const isF32 = (d: ValueDesc | undefined): boolean => !!d && d.dtype === 'float32';

/** A binary op: float32 on the vector kernel (with any fused activation), other types generic. */
function binary(op: number | undefined, anyOp: number): WasmKernel {
  const other = anyBinary(anyOp, isNumeric);
  return {
    layouts: broadcasting,
    lower: (args: LowerArgs): Lowering => {
      const { node, inputs, outputs, layout } = args;
      const [a, b] = inputs;
      if (!a || !b) return unsupported('needs two inputs');
      if (op === undefined || !isF32(a) || !isF32(b)) return other.lower(args);
      const epi = epilogueOf(node);
      if (!epi) return unsupported('fused activation not applicable');
      const out = outputs[0].dims;
      const c = new Calls();
      emitBinary(c, op, input(0), a, input(1), b, output(0), out, layout, epi);
      return c.done([layout]);
    },
  };
}

/** Sum, Mean, Max, Min over any number of inputs: a left fold over the output's shape. */
function variadic(op: number, anyOp: number, mean = false): WasmKernel {
  return {
    layouts: broadcasting,
    lower: ({ inputs, outputs, layout }: LowerArgs): Lowering => {
      const xs = inputs.filter((d): d is ValueDesc => d !== undefined);
      if (xs.length !== inputs.length || xs.length === 0) return unsupported('no kernel for these inputs');
      const out = outputs[0].dims;
      const c = new Calls();
      if (!xs.every(isF32)) {
        // other types: the generic kernel (Max and Min of any numeric type; no Mean)
        if (mean || !xs.every((d) => d.dtype === xs[0].dtype && isNumeric(d.dtype))) return unsupported(`no kernel for ${xs[0].dtype}`);
        const t: ValueDesc = { dtype: xs[0].dtype, dims: out, layout };
        if (xs.length === 1) copyStrided(c, t.dtype, input(0), output(0), out, broadcastStrides(xs[0], out));
        else emitAnyBinary(c, anyOp, input(0), xs[0], input(1), xs[1], output(0), out, layout);
        for (let i = 2; i < xs.length; i++) emitAnyBinary(c, anyOp, output(0), t, input(i), xs[i], output(0), out, layout);
        return c.done([layout]);
      }
      const y: ValueDesc = { dtype: 'float32', dims: out, layout };
      if (xs.length === 1) {
        // a copy (0 + x keeps -0 as it is only under Sum; multiply by 1 instead)
        emitBinary(c, BINARY.Mul, input(0), xs[0], c.const(Float32Array.of(1)), { dtype: 'float32', dims: [], layout: 'plain' }, output(0), out, layout, NO_EPILOGUE);
      } else {
        emitBinary(c, op, input(0), xs[0], input(1), xs[1], output(0), out, layout, NO_EPILOGUE);
        for (let i = 2; i < xs.length; i++) emitBinary(c, op, output(0), y, input(i), xs[i], output(0), out, layout, NO_EPILOGUE);
      }
      if (mean && xs.length > 1) {
        emitBinary(c, BINARY.Div, output(0), y, c.const(Float32Array.of(xs.length)), { dtype: 'float32', dims: [], layout: 'plain' }, output(0), out, layout, NO_EPILOGUE);
      }
      return c.done([layout]);
    },
  };
}

/** The unary code and parameters of a node, from its parsed attributes. */
type UnaryOf = (args: LowerArgs) => { code: number; p0?: number; p1?: number } | string;

function unary(of: UnaryOf, other?: WasmKernel): WasmKernel {
  return {
    layouts: followsFirst,
    lower: (args: LowerArgs): Lowering => {
      const x = args.inputs[0];
      if (x && !isF32(x) && other) return other.lower(args);
      if (!x || !isF32(x)) return unsupported(`no kernel for ${x?.dtype}`);
      if (args.node.attrs.has('kiln_activation')) return unsupported('fused activation not applicable');
      const u = of(args);
      if (typeof u === 'string') return unsupported(u);
      const n = x.dims.reduce((p, d) => p * d, 1);
      const c = new Calls();
      if (n > 0) c.call('unary_f32', u.code, input(0), output(0), n, u.p0 ?? 0, u.p1 ?? 0);
      return c.done([x.layout]);
    },
  };
}

const plain = (code: number, other?: WasmKernel): WasmKernel => unary(() => ({ code }), other);

/** Clip: constant float32 bounds inline in the unary kernel; otherwise Max then Min against the bounds. */
const clip: WasmKernel = {
  layouts: followsFirst,
  lower: (args: LowerArgs): Lowering => {
    const x = args.inputs[0];
    const at = args.attrs as { min: number; max: number; fromInputs: boolean };
    if (!x) return unsupported('needs an input');
    if (args.node.attrs.has('kiln_activation')) return unsupported('fused activation not applicable');
    const bound = (i: number) => (args.node.inputs[i] ? (args.constants[i] ? Number(args.constants[i]!.data[0]) : 'dynamic') : undefined);
    const lo = at.fromInputs ? bound(1) : at.min, hi = at.fromInputs ? bound(2) : at.max;
    const c = new Calls();
    const n = x.dims.reduce((p, d) => p * d, 1);
    if (isF32(x) && lo !== 'dynamic' && hi !== 'dynamic') {
      if (n > 0) c.call('unary_f32', UNARY.Clip, input(0), output(0), n, lo ?? -Infinity, hi ?? Infinity);
      return c.done([x.layout]);
    }
    if (!at.fromInputs || TYPE[x.dtype] === undefined || !isNumeric(x.dtype)) return unsupported(`no kernel for ${x.dtype}`);
    // y = min(max(x, lo), hi), the bounds scalars read in place
    const y: ValueDesc = { ...x, dims: x.dims };
    const scalar: ValueDesc = { dtype: x.dtype, dims: [], layout: 'plain' };
    let src = input(0), desc: ValueDesc = x;
    if (args.node.inputs[1]) {
      emitAnyBinary(c, GENERIC.Max, src, desc, input(1), scalar, output(0), x.dims, x.layout);
      [src, desc] = [output(0), y];
    }
    if (args.node.inputs[2]) {
      emitAnyBinary(c, GENERIC.Min, src, desc, input(2), scalar, output(0), x.dims, x.layout);
      [src, desc] = [output(0), y];
    }
    if (src.kind === 'input') copyStrided(c, x.dtype, input(0), output(0), memoryDims(x), stridesOf(memoryDims(x)));
    return c.done([x.layout]);
  },
};

/** Pow: the exponent may have another type than the base; it is cast to the base's first. */
const pow: WasmKernel = {
  layouts: broadcasting,
  lower: (args: LowerArgs): Lowering => {
    const [a, b] = args.inputs;
    if (!a || !b || a.dtype === b.dtype) return binary(BINARY.Pow, GENERIC.Pow).lower(args);
    if (TYPE[a.dtype] === undefined || TYPE[b.dtype] === undefined || !isNumeric(a.dtype)) return unsupported(`no kernel for ${a.dtype} and ${b.dtype}`);
    const c = new Calls();
    const n = b.dims.reduce((p, d) => p * d, 1);
    const cast = c.needScratch(n * byteSize(a.dtype));
    if (n > 0) c.call('cast', TYPE[b.dtype]!, TYPE[a.dtype]!, input(1), cast, n);
    const bd: ValueDesc = { ...b, dtype: a.dtype, layout: b.layout };
    const out = args.outputs[0].dims;
    const layout = args.layout;
    if (isF32(a)) emitBinary(c, BINARY.Pow, input(0), a, cast, bd, output(0), out, layout, NO_EPILOGUE);
    else emitAnyBinary(c, GENERIC.Pow, input(0), a, cast, bd, output(0), out, layout);
    return c.done([layout]);
  },
};

export const elementwiseKernels: Record<string, WasmKernel> = {
  Add: binary(BINARY.Add, GENERIC.Add),
  Sub: binary(BINARY.Sub, GENERIC.Sub),
  Mul: binary(BINARY.Mul, GENERIC.Mul),
  Div: binary(BINARY.Div, GENERIC.Div),
  Pow: pow,
  PRelu: binary(BINARY.PRelu, GENERIC.PRelu),
  // attrs: whether fmod is set (C's remainder); else Python's, the divisor's sign
  Mod: {
    layouts: broadcasting,
    lower: (args) => (args.attrs === true ? binary(BINARY.Fmod, GENERIC.Fmod) : binary(undefined, GENERIC.Mod)).lower(args),
  },
  Sum: variadic(BINARY.Add, GENERIC.Add),
  Mean: variadic(BINARY.Add, GENERIC.Add, true),
  Max: variadic(BINARY.Max, GENERIC.Max),
  Min: variadic(BINARY.Min, GENERIC.Min),

  Abs: plain(UNARY.Abs, intUnary.Abs),
  Neg: plain(UNARY.Neg, intUnary.Neg),
  Sqrt: plain(UNARY.Sqrt),
  Reciprocal: plain(UNARY.Reciprocal),
  Floor: plain(UNARY.Floor),
  Ceil: plain(UNARY.Ceil),
  Round: plain(UNARY.Round),
  Exp: plain(UNARY.Exp),
  Log: plain(UNARY.Log),
  Sigmoid: plain(UNARY.Sigmoid),
  Tanh: plain(UNARY.Tanh),
  Relu: plain(UNARY.Relu, intUnary.Relu),
  Erf: plain(UNARY.Erf),
  Sign: plain(UNARY.Sign, intUnary.Sign),
  Sin: plain(UNARY.Sin),
  Cos: plain(UNARY.Cos),
  Tan: plain(UNARY.Tan),
  Asin: plain(UNARY.Asin),
  Acos: plain(UNARY.Acos),
  Atan: plain(UNARY.Atan),
  Sinh: plain(UNARY.Sinh),
  Cosh: plain(UNARY.Cosh),
  Asinh: plain(UNARY.Asinh),
  Acosh: plain(UNARY.Acosh),
  Atanh: plain(UNARY.Atanh),
  Softplus: plain(UNARY.Softplus),
  Softsign: plain(UNARY.Softsign),
  Mish: plain(UNARY.Mish),
  HardSwish: plain(UNARY.HardSwish),
  Clip: clip,
  LeakyRelu: unary(({ attrs }) => ({ code: UNARY.LeakyRelu, p0: attrs as number })),
  Elu: unary(({ attrs }) => ({ code: UNARY.Elu, p0: attrs as number })),
  Celu: unary(({ attrs }) => ({ code: UNARY.Celu, p0: attrs as number })),
  ThresholdedRelu: unary(({ attrs }) => ({ code: UNARY.ThresholdedRelu, p0: attrs as number })),
  Swish: unary(({ attrs }) => ({ code: UNARY.Swish, p0: attrs as number })),
  Selu: unary(({ attrs }) => {
    const a = attrs as { alpha: number; gamma: number };
    return { code: UNARY.Selu, p0: a.alpha, p1: a.gamma };
  }),
  HardSigmoid: unary(({ attrs }) => {
    const a = attrs as { alpha: number; beta: number };
    return { code: UNARY.HardSigmoid, p0: a.alpha, p1: a.beta };
  }),
  Shrink: unary(({ attrs }) => {
    const a = attrs as { lambd: number; bias: number };
    return { code: UNARY.Shrink, p0: a.lambd, p1: a.bias };
  }),
  Gelu: unary(({ attrs }) => ({ code: attrs === 'tanh' ? UNARY.GeluTanh : UNARY.Gelu })),
};
