// Elementwise kernels: unary maps and broadcasting binary ops, one generic template each with a
// per-op expression table; a fused activation applies before the store.

import type { KernelGenerator, Lowering } from '../kernel';
import { scalarOf, type Scalar } from '../storage';
import { broadcastOffset, declareBuffers, flatMain, grid1d } from '../wgsl';
import { ACTIVATION_HELPERS, activationExpr, fusedActivation } from './activation';

const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Unary ops over f32: WGSL of `x`. */
const UNARY_F32: Record<string, (x: string) => string> = {
  Abs: (x) => `abs(${x})`, Neg: (x) => `-${x}`, Sqrt: (x) => `sqrt(${x})`, Exp: (x) => `exp(${x})`,
  Log: (x) => `log(${x})`, Reciprocal: (x) => `(1.0f / ${x})`, Floor: (x) => `floor(${x})`,
  Ceil: (x) => `ceil(${x})`, Round: (x) => `round(${x})`, Sign: (x) => `sign(${x})`,
  Sin: (x) => `sin(${x})`, Cos: (x) => `cos(${x})`, Tan: (x) => `tan(${x})`, Asin: (x) => `asin(${x})`,
  Acos: (x) => `acos(${x})`, Atan: (x) => `atan(${x})`, Sinh: (x) => `sinh(${x})`, Cosh: (x) => `cosh(${x})`,
  Tanh: (x) => `tanh(${x})`, Asinh: (x) => `asinh(${x})`, Acosh: (x) => `acosh(${x})`, Atanh: (x) => `atanh(${x})`,
  Erf: (x) => `k_erf(${x})`, Relu: (x) => `max(${x}, 0.0f)`, Sigmoid: (x) => `(1.0f / (1.0f + exp(-${x})))`,
  Softsign: (x) => `(${x} / (1.0f + abs(${x})))`, Softplus: (x) => `select(log(1.0f + exp(${x})), ${x}, ${x} > 20.0f)`,
  HardSwish: (x) => `(${x} * clamp(${x} / 6.0f + 0.5f, 0.0f, 1.0f))`,
};

/** Unary ops over i32. */
const UNARY_I32: Record<string, (x: string) => string> = {
  Abs: (x) => `abs(${x})`, Neg: (x) => `-${x}`, Sign: (x) => `sign(${x})`, Relu: (x) => `max(${x}, 0i)`,
};

/** Binary ops: WGSL of `a op b` per operand type; comparisons yield bool (stored as u32). */
const BINARY: Record<string, { readonly expr: (a: string, b: string, t: Scalar) => string; readonly bool?: boolean }> = {
  Add: { expr: (a, b) => `${a} + ${b}` },
  Sub: { expr: (a, b) => `${a} - ${b}` },
  Mul: { expr: (a, b) => `${a} * ${b}` },
  Div: { expr: (a, b, t) => (t === 'f32' ? `${a} / ${b}` : `select(${a} / ${b}, 0, ${b} == 0)`) },
  Max: { expr: (a, b) => `max(${a}, ${b})` },
  Min: { expr: (a, b) => `min(${a}, ${b})` },
  Pow: { expr: (a, b, t) => (t === 'f32' ? `k_pow(${a}, ${b})` : '') },
  PRelu: { expr: (a, b, t) => (t === 'f32' ? `select(${a} * ${b}, ${a}, ${a} >= 0.0f)` : `select(${a} * ${b}, ${a}, ${a} >= 0)`) },
  Equal: { expr: (a, b) => `u32(${a} == ${b})`, bool: true },
  Greater: { expr: (a, b) => `u32(${a} > ${b})`, bool: true },
  Less: { expr: (a, b) => `u32(${a} < ${b})`, bool: true },
  GreaterOrEqual: { expr: (a, b) => `u32(${a} >= ${b})`, bool: true },
  LessOrEqual: { expr: (a, b) => `u32(${a} <= ${b})`, bool: true },
  And: { expr: (a, b) => `u32(${a} != 0u && ${b} != 0u)`, bool: true },
  Or: { expr: (a, b) => `u32(${a} != 0u || ${b} != 0u)`, bool: true },
  Xor: { expr: (a, b) => `u32((${a} != 0u) != (${b} != 0u))`, bool: true },
};

/** pow with the sign of a negative base for integral exponents (WGSL's pow is undefined there). */
const POW_HELPER = `
fn k_pow(a: f32, b: f32) -> f32 {
  if (a >= 0.0f) { return pow(a, b); }
  if (b != floor(b)) { var k_nan = 0x7fc00000u; return bitcast<f32>(k_nan); }
  let m = pow(-a, b);
  return select(m, -m, (i32(b) & 1) == 1);
}
`;

export const unaryKernel = (op: string): KernelGenerator => ({ node, inputs, outputs }) => {
  const x = inputs[0];
  if (!x) return { kind: 'unsupported', reason: `${op} needs an input` };
  const s = scalarOf(x.dtype);
  const expr = s === 'f32' ? UNARY_F32[op] : s === 'i32' ? UNARY_I32[op] : undefined;
  if (!s || !expr) return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${x.dtype}` };
  const value = activationExpr(fusedActivation(node), expr('k_x'));
  if (value === undefined) return { kind: 'unsupported', reason: 'unknown fused activation' };
  const n = sizeOf(outputs[0].dims);
  const wgsl = `${declareBuffers([{ name: 'k_in', type: s, access: 'read' }, { name: 'k_out', type: s, access: 'read_write' }])}
${ACTIVATION_HELPERS}
${flatMain(n, `  let k_x = k_in[idx];\n  k_out[idx] = ${value};`)}`;
  return dispatch(op.toLowerCase(), wgsl, n, 1);
};

export const binaryKernel = (op: string): KernelGenerator => ({ node, inputs, outputs }) => {
  const [a, b] = inputs;
  const spec = BINARY[op];
  if (!a || !b || !spec) return { kind: 'unsupported', reason: `${op} needs two inputs` };
  const s = scalarOf(a.dtype);
  if (!s || scalarOf(b.dtype) !== s) return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${a.dtype} and ${b.dtype}` };
  const body = spec.expr('k_a', 'k_b', s);
  if (!body) return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${a.dtype}` };
  const outType: Scalar = spec.bool ? 'u32' : s;
  const act = fusedActivation(node);
  const value = outType === 'f32' ? activationExpr(act, `(${body})`) : act ? undefined : body;
  if (value === undefined) return { kind: 'unsupported', reason: 'fused activation on a non-float output' };
  const out = outputs[0].dims;
  const n = sizeOf(out);
  const wgsl = `${declareBuffers([
    { name: 'k_ina', type: s, access: 'read' },
    { name: 'k_inb', type: s, access: 'read' },
    { name: 'k_out', type: outType, access: 'read_write' },
  ])}
${ACTIVATION_HELPERS}
${POW_HELPER}
${flatMain(n, `  ${broadcastOffset('k_ia', 'idx', a.dims, out)}
  ${broadcastOffset('k_ib', 'idx', b.dims, out)}
  let k_a = k_ina[k_ia];
  let k_b = k_inb[k_ib];
  k_out[idx] = ${value};`)}`;
  return dispatch(op.toLowerCase(), wgsl, n, 2);
};

function dispatch(label: string, wgsl: string, n: number, nInputs: number): Lowering {
  const bindings = [
    ...Array.from({ length: nInputs }, (_, index) => ({ kind: 'input' as const, index })),
    { kind: 'output' as const, index: 0 },
  ];
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(n), bindings, label }] };
}

export const elementwiseKernels: Record<string, KernelGenerator> = {
  ...Object.fromEntries(Object.keys(UNARY_F32).map((op) => [op, unaryKernel(op)])),
  ...Object.fromEntries(Object.keys(BINARY).map((op) => [op, binaryKernel(op)])),
};
