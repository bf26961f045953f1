// Operation codes the kernels take as their first argument; each list matches the constants of
// the AssemblyScript file named beside it (the kernels' unit tests catch a mismatch).

import type { DType } from '../../tensor';

/** assembly/activation.ts: fused activation epilogues */
export const ACT = {
  none: 0, clip: 1, leaky: 2, hardSigmoid: 3, hardSwish: 4, sigmoid: 5, tanh: 6, gelu: 7, geluTanh: 8, elu: 9, softplus: 10, swish: 11,
} as const;

/** assembly/binary.ts */
export const BINARY = { Add: 0, Sub: 1, Mul: 2, Div: 3, Max: 4, Min: 5, Pow: 6, PRelu: 7, Fmod: 8 } as const;

/** assembly/unary.ts */
export const UNARY = {
  Abs: 0, Neg: 1, Sqrt: 2, Reciprocal: 3, Floor: 4, Ceil: 5, Round: 6, Exp: 7, Sigmoid: 8, Tanh: 9,
  Clip: 10, LeakyRelu: 11, Elu: 12, Selu: 13, Celu: 14, HardSigmoid: 15, HardSwish: 16, Swish: 17,
  ThresholdedRelu: 18, Softsign: 19, Gelu: 20, GeluTanh: 21, Erf: 22, Shrink: 23, Sign: 24,
  Log: 25, Sin: 26, Cos: 27, Tan: 28, Asin: 29, Acos: 30, Atan: 31, Sinh: 32, Cosh: 33,
  Asinh: 34, Acosh: 35, Atanh: 36, Softplus: 37, Mish: 38, Relu: 39,
} as const;

/** assembly/reduce.ts */
export const REDUCE = {
  ReduceSum: 0, ReduceMean: 1, ReduceMax: 2, ReduceMin: 3, ReduceProd: 4, ReduceSumSquare: 5,
  ReduceL1: 6, ReduceL2: 7, ReduceLogSum: 8, ReduceLogSumExp: 9,
} as const;

/** assembly/types.ts: element types of the dtype-generic kernels */
export const TYPE: Partial<Record<DType, number>> = {
  float32: 0, float64: 1, int8: 2, uint8: 3, int16: 4, uint16: 5, int32: 6, uint32: 7, int64: 8, uint64: 9,
  bool: 10, float16: 11, bfloat16: 12,
};

/** assembly/generic.ts: binary ops over any element type (from EQUAL on, bool out) */
export const GENERIC = {
  Add: 0, Sub: 1, Mul: 2, Div: 3, Max: 4, Min: 5, Pow: 6, PRelu: 7, Fmod: 8, Mod: 9,
  BitShiftLeft: 10, BitShiftRight: 11, BitwiseAnd: 12, BitwiseOr: 13, BitwiseXor: 14,
  Equal: 20, Less: 21, LessOrEqual: 22, Greater: 23, GreaterOrEqual: 24, And: 25, Or: 26, Xor: 27,
} as const;

/** assembly/generic.ts: unary ops over any element type (from IsNaN on, bool out) */
export const GENERIC_UNARY = {
  Abs: 0, Neg: 1, Sign: 2, Not: 3, BitwiseNot: 4, Relu: 5, IsNaN: 6, IsInf: 7, IsPosInf: 8, IsNegInf: 9,
} as const;
