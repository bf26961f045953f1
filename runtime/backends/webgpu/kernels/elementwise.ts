// Elementwise kernels: unary maps, broadcasting binary ops, the variadic folds (Sum, Mean, Max,
// Min), Where, Clip, IsInf and inference Dropout, from per-op expression tables over the three
// GPU element types.
// All lower to the n-ary map template (./elementwise-map); a fused activation applies before the
// store of a float result.

import { toNumbers, type DType } from '../../../tensor';
import { kernelDims, type KernelGenerator, type LowerArgs, type Lowering } from '../kernel';
import { scalarOf, type Scalar } from '../storage';
import { declareBuffers, f32Lit, flatMain, grid1d, i32Lit, u32Lit } from '../wgsl';
import { activationExpr, fusedActivation } from './activation';
import { mapKernel, type MapOperand } from './elementwise-map';

type Expr1 = (x: string) => string;
type Expr2 = (a: string, b: string) => string;

/**
 * Integer results of a narrow type wrap as the store into int8/uint16/… would, so a value stays
 * what the CPU would hold when the next GPU kernel reads it.
 */
export function wrapNarrow(dtype: DType, e: string): string {
  switch (dtype) {
    case 'int8': return `((${e}) << 24u) >> 24u`;
    case 'int16': return `((${e}) << 16u) >> 16u`;
    case 'uint8': return `((${e}) & 0xffu)`;
    case 'uint16': return `((${e}) & 0xffffu)`;
    case 'bool': return `u32((${e}) != 0u)`;
    default: return e;
  }
}

/** The expression with the node's fused activation, or undefined where it cannot apply. */
function finish(node: LowerArgs['node'], out: Scalar, dtype: DType, e: string): string | undefined {
  const act = fusedActivation(node);
  if (out === 'f32') return activationExpr(act, `(${e})`);
  return act ? undefined : wrapNarrow(dtype, e);
}

const noKernel = (op: string, types: readonly (DType | undefined)[]): Lowering =>
  ({ kind: 'unsupported', reason: `${op} has no GPU kernel for ${types.map((t) => t ?? 'a missing input').join(' and ')}` });

// ---- unary ----

interface UnaryDef {
  readonly f32?: Expr1;
  readonly i32?: Expr1;
  readonly u32?: Expr1;
  /** the result is bool (u32) whatever the input */
  readonly bool?: boolean;
}

const f32Only = (f: Expr1): UnaryDef => ({ f32: f });
const act = (name: string): UnaryDef => ({ f32: (x) => activationExpr({ name, params: [] }, x) ?? x });

const UNARY: Record<string, UnaryDef> = {
  Abs: { f32: (x) => `abs(${x})`, i32: (x) => `abs(${x})`, u32: (x) => x },
  Neg: { f32: (x) => `-${x}`, i32: (x) => `-${x}` },
  Sign: { f32: (x) => `sign(${x})`, i32: (x) => `sign(${x})`, u32: (x) => `select(0u, 1u, ${x} > 0u)` },
  Relu: { f32: (x) => `max(${x}, 0.0f)`, i32: (x) => `max(${x}, 0i)` },
  Sqrt: f32Only((x) => `sqrt(${x})`), Exp: f32Only((x) => `exp(${x})`), Log: f32Only((x) => `log(${x})`),
  Reciprocal: f32Only((x) => `(1.0f / ${x})`), Floor: f32Only((x) => `floor(${x})`), Ceil: f32Only((x) => `ceil(${x})`),
  // WGSL's round() rounds half to even, as ONNX asks
  Round: f32Only((x) => `round(${x})`),
  Sin: f32Only((x) => `sin(${x})`), Cos: f32Only((x) => `cos(${x})`), Tan: f32Only((x) => `tan(${x})`),
  Asin: f32Only((x) => `asin(${x})`), Acos: f32Only((x) => `acos(${x})`), Atan: f32Only((x) => `atan(${x})`),
  Sinh: f32Only((x) => `sinh(${x})`), Cosh: f32Only((x) => `cosh(${x})`),
  Asinh: f32Only((x) => `asinh(${x})`), Acosh: f32Only((x) => `acosh(${x})`), Atanh: f32Only((x) => `atanh(${x})`),
  Erf: f32Only((x) => `k_erf(${x})`),
  Tanh: act('Tanh'), Sigmoid: act('Sigmoid'), Softsign: act('Softsign'), Softplus: act('Softplus'),
  HardSwish: act('HardSwish'), Mish: act('Mish'),
  // by the bits, so no fast-math assumption can fold it away
  IsNaN: { f32: (x) => `u32((bitcast<u32>(${x}) & 0x7fffffffu) > 0x7f800000u)`, bool: true },
  Not: { u32: (x) => `u32(${x} == 0u)` },
  BitwiseNot: { i32: (x) => `~${x}`, u32: (x) => `~${x}` },
};

export const unaryKernel = (op: string): KernelGenerator => ({ node, inputs, outputs, genericShapes }) => {
  const x = inputs[0];
  const s = x && scalarOf(x.dtype);
  const expr = s && UNARY[op]?.[s];
  if (!x || !s || !expr) return noKernel(op, [x?.dtype]);
  const out: Scalar = UNARY[op].bool ? 'u32' : s;
  const value = finish(node, out, outputs[0].dtype, expr('k_v0'));
  if (value === undefined) return { kind: 'unsupported', reason: 'fused activation on a non-float output' };
  return mapKernel(op.toLowerCase(), [{ type: s, dims: x.dims }], { type: out, dims: outputs[0].dims }, value, kernelDims({ genericShapes }));
};

interface IsInfAttrs {
  readonly positive: boolean;
  readonly negative: boolean;
}

const isInfKernel: KernelGenerator<IsInfAttrs> = ({ attrs, inputs, outputs }) => {
  const x = inputs[0];
  if (!x || scalarOf(x.dtype) !== 'f32') return noKernel('IsInf', [x?.dtype]);
  const signs = [attrs.positive ? '0x7f800000u' : '', attrs.negative ? '0xff800000u' : ''].filter(Boolean);
  const value = signs.length ? `u32(${signs.map((b) => `bitcast<u32>(k_v0) == ${b}`).join(' || ')})` : '0u';
  return mapKernel('isinf', [{ type: 'f32', dims: x.dims }], { type: 'u32', dims: outputs[0].dims }, value);
};

// ---- binary ----

interface BinaryDef<A = unknown> {
  readonly f32?: (a: string, b: string, attrs: A) => string;
  readonly i32?: (a: string, b: string, attrs: A) => string;
  readonly u32?: (a: string, b: string, attrs: A) => string;
  readonly bool?: boolean;
}

const all = (e: Expr2): BinaryDef => ({ f32: e, i32: e, u32: e });
const ints = (e: Expr2): BinaryDef => ({ i32: e, u32: e });
const cmp = (e: Expr2): BinaryDef => ({ f32: e, i32: e, u32: e, bool: true });
const logic = (e: Expr2): BinaryDef => ({ u32: e, bool: true });

/** Python's modulo: the result takes the divisor's sign (`fmod` gives C's, the dividend's). */
const modF32 = (a: string, b: string, fmod: boolean) => {
  const r = `(${a} - ${b} * trunc(${a} / ${b}))`;
  return fmod ? r : `select(${r}, ${r} + ${b}, ${r} != 0.0f && ((${r} < 0.0f) != (${b} < 0.0f)))`;
};
const modI32 = (a: string, b: string, fmod: boolean) => {
  const r = `select(${a} % ${b}, 0i, ${b} == 0i)`;
  return fmod ? r : `select(${r}, ${r} + ${b}, ${r} != 0i && ((${r} < 0i) != (${b} < 0i)))`;
};

const BINARY: Record<string, BinaryDef<unknown>> = {
  Add: all((a, b) => `${a} + ${b}`),
  Sub: all((a, b) => `${a} - ${b}`),
  Mul: all((a, b) => `${a} * ${b}`),
  // k_div: IEEE-rounded, as the CPU reference (NVIDIA's f32 division is up to 2 ULP off)
  Div: { f32: (a, b) => `k_div(${a}, ${b})`, i32: (a, b) => `select(${a} / ${b}, 0i, ${b} == 0i)`, u32: (a, b) => `select(${a} / ${b}, 0u, ${b} == 0u)` },
  PRelu: { f32: (a, b) => `select(${a} * ${b}, ${a}, ${a} >= 0.0f)`, i32: (a, b) => `select(${a} * ${b}, ${a}, ${a} >= 0i)` },
  Mod: {
    f32: (a, b, fmod) => modF32(a, b, fmod as boolean),
    i32: (a, b, fmod) => modI32(a, b, fmod as boolean),
    u32: (a, b) => `select(${a} % ${b}, 0u, ${b} == 0u)`,
  },
  BitShift: { u32: (a, b, dir) => `select(${a} ${dir === 'LEFT' ? '<<' : '>>'} ${b}, 0u, ${b} >= 32u)` },
  BitwiseAnd: ints((a, b) => `${a} & ${b}`),
  BitwiseOr: ints((a, b) => `${a} | ${b}`),
  BitwiseXor: ints((a, b) => `${a} ^ ${b}`),
  Equal: cmp((a, b) => `u32(${a} == ${b})`),
  Greater: cmp((a, b) => `u32(${a} > ${b})`),
  Less: cmp((a, b) => `u32(${a} < ${b})`),
  GreaterOrEqual: cmp((a, b) => `u32(${a} >= ${b})`),
  LessOrEqual: cmp((a, b) => `u32(${a} <= ${b})`),
  And: logic((a, b) => `u32(${a} != 0u && ${b} != 0u)`),
  Or: logic((a, b) => `u32(${a} != 0u || ${b} != 0u)`),
  Xor: logic((a, b) => `u32((${a} != 0u) != (${b} != 0u))`),
};

export const binaryKernel = (op: string): KernelGenerator => ({ node, attrs, inputs, outputs, genericShapes }) => {
  const [a, b] = inputs;
  const def = BINARY[op];
  const s = a && scalarOf(a.dtype);
  const expr = s && def?.[s];
  if (!a || !b || !s || scalarOf(b.dtype) !== s || !expr) return noKernel(op, [a?.dtype, b?.dtype]);
  const out: Scalar = def.bool ? 'u32' : s;
  const value = finish(node, out, outputs[0].dtype, expr('k_v0', 'k_v1', attrs));
  if (value === undefined) return { kind: 'unsupported', reason: 'fused activation on a non-float output' };
  return mapKernel(op.toLowerCase(), [{ type: s, dims: a.dims }, { type: s, dims: b.dims }], { type: out, dims: outputs[0].dims }, value, kernelDims({ genericShapes }));
};

/** Pow: base and exponent may differ in type; the result takes the base's (ints exactly). */
const powKernel: KernelGenerator = ({ node, inputs, outputs }) => {
  const [a, b] = inputs;
  const sa = a && scalarOf(a.dtype);
  const sb = b && scalarOf(b.dtype);
  if (!a || !b || !sa || !sb) return noKernel('Pow', [a?.dtype, b?.dtype]);
  const bf = sb === 'f32' ? 'k_v1' : `f32(k_v1)`;
  const bi = sb === 'f32' ? 'i32(k_v1)' : sb === 'u32' ? 'i32(k_v1)' : 'k_v1';
  const intPow = (base: string) => (sb === 'f32'
    ? `select(i32(trunc(k_pow(f32(${base}), k_v1))), k_ipow(${base}, ${bi}), k_v1 == floor(k_v1))`
    : `k_ipow(${base}, ${bi})`);
  const e = sa === 'f32' ? `k_pow(k_v0, ${bf})` : sa === 'i32' ? intPow('k_v0') : `u32(${intPow('i32(k_v0)')})`;
  const value = finish(node, sa, outputs[0].dtype, e);
  if (value === undefined) return { kind: 'unsupported', reason: 'fused activation on a non-float output' };
  return mapKernel('pow', [{ type: sa, dims: a.dims }, { type: sb, dims: b.dims }], { type: sa, dims: outputs[0].dims }, value);
};

// ---- variadic folds ----

const FOLDS: Record<string, { f32: Expr2; int?: Expr2; mean?: boolean }> = {
  Sum: { f32: (a, b) => `${a} + ${b}`, int: (a, b) => `${a} + ${b}` },
  Mean: { f32: (a, b) => `${a} + ${b}`, mean: true },
  Max: { f32: (a, b) => `k_fmax(${a}, ${b})`, int: (a, b) => `max(${a}, ${b})` },
  Min: { f32: (a, b) => `k_fmin(${a}, ${b})`, int: (a, b) => `min(${a}, ${b})` },
};

const variadicKernel = (op: string): KernelGenerator => ({ node, inputs, outputs }) => {
  const fold = FOLDS[op];
  const xs = inputs.filter((x): x is NonNullable<typeof x> => x !== undefined);
  const s = xs[0] && scalarOf(xs[0].dtype);
  const f = s === 'f32' ? fold.f32 : fold.int;
  if (!xs.length || !s || !f || xs.some((x) => scalarOf(x.dtype) !== s)) return noKernel(op, xs.map((x) => x.dtype));
  let e = 'k_v0';
  for (let i = 1; i < xs.length; i++) e = f(e, `k_v${i}`);
  if (fold.mean) e = `(${e}) / ${f32Lit(xs.length)}`;
  const value = finish(node, s, outputs[0].dtype, e);
  if (value === undefined) return { kind: 'unsupported', reason: 'fused activation on a non-float output' };
  const operands: MapOperand[] = xs.map((x) => ({ type: s, dims: x.dims }));
  return mapKernel(op.toLowerCase(), operands, { type: s, dims: outputs[0].dims }, value);
};

// ---- Where and Clip ----

const whereKernel: KernelGenerator = ({ inputs, outputs }) => {
  const [c, x, y] = inputs;
  const s = x && scalarOf(x.dtype);
  if (!c || !x || !y || !s || scalarOf(y.dtype) !== s || scalarOf(c.dtype) !== 'u32') return noKernel('Where', [c?.dtype, x?.dtype, y?.dtype]);
  return mapKernel('where', [{ type: 'u32', dims: c.dims }, { type: s, dims: x.dims }, { type: s, dims: y.dims }],
    { type: s, dims: outputs[0].dims }, 'select(k_v2, k_v1, k_v0 != 0u)');
};

interface ClipAttrs {
  readonly min: number;
  readonly max: number;
  readonly fromInputs: boolean;
}

const LIT: Record<Scalar, (v: number) => string> = { f32: f32Lit, i32: i32Lit, u32: u32Lit };

/** Clip: bounds from attributes (opset < 11) or from optional one-element inputs, read on the GPU. */
const clipKernel: KernelGenerator<ClipAttrs> = ({ node, attrs, inputs, outputs }) => {
  const x = inputs[0];
  const s = x && scalarOf(x.dtype);
  if (!x || !s) return noKernel('Clip', [x?.dtype]);
  const operands: (MapOperand & { scalar?: boolean; binding?: number })[] = [{ type: s, dims: x.dims }];
  let e = 'k_v0';
  if (attrs.fromInputs) {
    for (const [i, fn] of [[1, 'max'], [2, 'min']] as const) {
      const t = inputs[i];
      if (!t) continue;
      if (scalarOf(t.dtype) !== s) return noKernel('Clip', [x.dtype, t.dtype]);
      operands.push({ type: s, dims: t.dims, scalar: true, binding: i });
      e = `${fn}(${e}, k_v${operands.length - 1})`;
    }
  } else {
    if (s !== 'f32') return noKernel('Clip', [x.dtype]);
    if (attrs.min !== -Infinity) e = `max(${e}, ${LIT[s](attrs.min)})`;
    if (attrs.max !== Infinity) e = `min(${e}, ${LIT[s](attrs.max)})`;
  }
  const value = finish(node, s, outputs[0].dtype, e);
  if (value === undefined) return { kind: 'unsupported', reason: 'fused activation on a non-float output' };
  return mapKernel('clip', operands, { type: s, dims: outputs[0].dims }, value);
};

interface DropoutAttrs {
  readonly boolMask: boolean;
  readonly inputsForm: boolean;
}

/**
 * Dropout at inference: the identity (an alias) and, when asked for, an all-true mask. Training
 * mode draws numpy's random stream, which has no GPU form: it must be off or known to be off.
 */
const dropoutKernel: KernelGenerator<DropoutAttrs> = ({ node, attrs, inputs, outputs, constants }) => {
  const x = inputs[0];
  const s = x && scalarOf(x.dtype);
  if (!x || !s) return noKernel('Dropout', [x?.dtype]);
  if (attrs.inputsForm && inputs[2]) {
    const training = constants[2];
    const ratio = constants[1];
    const off = (training && toNumbers(training)[0] === 0) || (ratio && toNumbers(ratio)[0] === 0);
    if (!off) return { kind: 'unsupported', reason: 'Dropout in training mode (or with training_mode fed at run time)' };
  }
  if (!node.outputs[1] || !outputs[1]) return { kind: 'alias', input: 0 };
  const mask = attrs.boolMask ? '1u' : { f32: '1.0f', i32: '1i', u32: '1u' }[s];
  const n = outputs[0].dims.reduce((a, b) => a * b, 1);
  const wgsl = `${declareBuffers([
    { name: 'k_in', type: s, access: 'read' },
    { name: 'k_out', type: s, access: 'read_write' },
    { name: 'k_mask', type: attrs.boolMask ? 'u32' : s, access: 'read_write' },
  ])}\n${flatMain(n, `  k_out[idx] = k_in[idx];\n  k_mask[idx] = ${mask};`)}`;
  const bindings = [{ kind: 'input' as const, index: 0 }, { kind: 'output' as const, index: 0 }, { kind: 'output' as const, index: 1 }];
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(n), bindings, label: 'dropout' }] };
};

export const elementwiseKernels: Record<string, KernelGenerator> = {
  Dropout: dropoutKernel as KernelGenerator,
  ...Object.fromEntries(Object.keys(UNARY).map((op) => [op, unaryKernel(op)])),
  ...Object.fromEntries(Object.keys(BINARY).map((op) => [op, binaryKernel(op)])),
  ...Object.fromEntries(Object.keys(FOLDS).map((op) => [op, variadicKernel(op)])),
  Pow: powKernel,
  IsInf: isInfKernel as KernelGenerator,
  Where: whereKernel,
  Clip: clipKernel as KernelGenerator,
};
