// QuantizeLinear and DequantizeLinear to and from the 2- to 32-bit integers and the narrow floats
// (float8, float4: bits in a GPU word, ./narrow-float), per tensor, per axis or blocked:
// elementwise maps whose scale / zero-point index is computed from the element's flat index with
// the shapes baked in; DynamicQuantizeLinear too.

import { isMiniFloatType, type DType, type MiniFloatType } from '../../../tensor';
import type { Binding, KernelGenerator, Lowering, ValueDesc } from '../kernel';
import { scalarOf, wordOf, type Scalar } from '../storage';
import { declareBuffers, f32Lit, flatMain, grid1d, type BufferDecl } from '../wgsl';
import { normAxis } from '../../../ops/broadcast';
import { helpersFor } from './activation-helpers';
import { decodeNarrow, encodeNarrow, NARROW_FLOAT_HELPERS } from './narrow-float';
import { workgroupReduce } from './reduce-template';

interface QAttrs {
  readonly axis: number;
  readonly saturate: boolean;
  readonly blockSize: number;
  readonly outputDtype: number;
}

const RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
  uint4: [0, 15], int4: [-8, 7], uint2: [0, 3], int2: [-2, 1],
};

/** The f32 value of zero-point word `w` of type `t` (a narrow float's bits decode). */
const zeroPoint = (t: DType, w: string) => (isMiniFloatType(t) ? decodeNarrow(t, w) : `f32(${w})`);

/** WGSL of the scale/zero-point index of flat element `idx` (per tensor, per axis or blocked). */
function paramIndex(dims: readonly number[], sDims: readonly number[], axis: number, blockSize: number): string | undefined {
  const n = sDims.reduce((a, b) => a * b, 1);
  if (n === 1) return '0u';
  const ax = normAxis('QuantizeLinear', axis, dims.length);
  const inner = dims.slice(ax + 1).reduce((a, b) => a * b, 1);
  const along = `((idx / ${inner}u) % ${dims[ax]}u)`;
  if (sDims.length === 1) return sDims[0] === dims[ax] ? along : undefined;
  if (sDims.length !== dims.length) return undefined;
  const bs = blockSize > 0 ? blockSize : Math.ceil(dims[ax] / sDims[ax]);
  return `((idx / ${dims[ax] * inner}u) * ${sDims[ax]}u + ${along} / ${bs}u) * ${inner}u + idx % ${inner}u`;
}

/** `store`: WGSL statements that set k_out[idx], reading `k` (the scale's index) and `zp` (the zero point). */
function quantKernel(label: string, xs: Scalar, zp: ValueDesc | undefined, out: ValueDesc, os: Scalar, index: string, store: string): Lowering {
  const decls: BufferDecl[] = [{ name: 'k_x', type: xs, access: 'read' }, { name: 'k_s', type: 'f32', access: 'read' }];
  const bindings: Binding[] = [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }];
  const zs = zp && wordOf(zp.dtype);
  if (zp && zs) {
    decls.push({ name: 'k_z', type: zs, access: 'read' });
    bindings.push({ kind: 'input', index: 2 });
  }
  decls.push({ name: 'k_out', type: os, access: 'read_write' });
  bindings.push({ kind: 'output', index: 0 });
  const n = out.dims.reduce((a, b) => a * b, 1);
  const body = `  let k = ${index};
  let zp = ${zp ? zeroPoint(zp.dtype, 'k_z[k]') : '0.0f'};
  ${store}`;
  const main = flatMain(n, body);
  const wgsl = `${declareBuffers(decls)}\n${helpersFor(main, NARROW_FLOAT_HELPERS)}\n${main}`;
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(n), bindings, label }] };
}

/** ONNX type codes QuantizeLinear's output_dtype may name (float8e8m0, 24, is not among them). */
const OUTPUT_DTYPES: Record<number, DType> = {
  2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 17: 'float8e4m3fn', 18: 'float8e4m3fnuz',
  19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4', 23: 'float4e2m1', 25: 'uint2', 26: 'int2',
};

/**
 * x / scale + zero point rounded once into a narrow float, as the reference does: it divides in
 * f32 (so must the GPU: float32 scale, float32/16/bf16 x) and adds the zero point exactly. The f32
 * sum's exact error (TwoSum) is passed on as the sign that breaks a tie it may have landed on.
 * Below 2^-126 a sum only decides the sign of a zero (every narrow float rounds it to 0), and GPUs
 * may flush it (WGSL allows): with a zero zero point that sign comes from the operands' bits,
 * x's sign times the scale's unless x / scale is exactly ±0 (then IEEE's rule for adding zeros).
 * One case still differs: where the reference's own f32 quotient underflows (|x / scale| ≤ 2^-150)
 * and the zero point is +0, it gives +0 and this the quotient's sign (0x80 for x < 0, not 0x00).
 */
function narrowQuantize(to: MiniFloatType, saturate: boolean): string {
  return `let k_q = k_div(k_x[idx], k_s[k]);
  let k_sum = k_q + zp;
  let k_bp = k_sum - k_q;
  let k_err = (k_q - (k_sum - k_bp)) + (zp - k_bp);
  let k_tail = select(0i, select(-1i, 1i, (k_err > 0.0f) == (k_sum > 0.0f)), k_err != 0.0f);
  let k_xb = bitcast<u32>(k_x[idx]);
  let k_sb = bitcast<u32>(k_s[k]);
  let k_zb = bitcast<u32>(zp);
  let k_qzero = (k_xb & 0x7fffffffu) == 0u || (k_sb & 0x7fffffffu) == 0x7f800000u;
  let k_qneg = ((k_xb ^ k_sb) >> 31u) == 1u;
  let k_neg = k_qneg && (!k_qzero || (k_zb >> 31u) == 1u);
  let k_zero = select(0u, 0x80000000u, k_neg && (k_zb & 0x7fffffffu) == 0u);
  k_out[idx] = ${encodeNarrow(to, 'select(bitcast<u32>(k_sum), k_zero, k_sum == 0.0f)', { saturate }, 'k_tail')};`;
}

const quantize: KernelGenerator<QAttrs> = ({ attrs, inputs, outputs }) => {
  const [x, s, z] = inputs;
  const to = z?.dtype ?? OUTPUT_DTYPES[attrs.outputDtype] ?? (attrs.outputDtype ? undefined : 'uint8');
  const os = to && wordOf(to);
  const no = (why = '') => ({ kind: 'unsupported', reason: `QuantizeLinear to ${to ?? 'this type'} has no GPU kernel${why}` }) as const;
  if (!x || !s || !to || !os || scalarOf(x.dtype) !== 'f32' || scalarOf(s.dtype) !== 'f32') return no();
  const index = paramIndex(x.dims, s.dims, attrs.axis, attrs.blockSize);
  if (!index) return { kind: 'unsupported', reason: 'QuantizeLinear scale shape' };
  if (isMiniFloatType(to)) {
    if (to === 'float8e8m0') return no(' (e8m0 rounds by exponent: the f32 sum\'s error cannot break its ties)');
    if (s.dtype !== 'float32' || x.dtype === 'float64') return no(` from ${x.dtype} by a ${s.dtype} scale (the reference divides exactly there)`);
    return quantKernel('quantize', 'f32', z, outputs[0], os, index, narrowQuantize(to, attrs.saturate));
  }
  const range = RANGE[to];
  if (!range) return no();
  // round half to even (WGSL round), add the zero point, saturate to the type; NaN gives 0 as the
  // reference's integer store does (tested on the bits: compilers may assume x == x)
  const q = `select(clamp(k_v, ${f32Lit(range[0])}, ${f32Lit(range[1])}), 0.0f, (bitcast<u32>(k_v) & 0x7fffffffu) > 0x7f800000u)`;
  const store = `let k_v = round(k_div(k_x[idx], k_s[k])) + zp;\n  k_out[idx] = ${os === 'i32' ? `i32(${q})` : `u32(${q})`};`;
  return quantKernel('quantize', 'f32', z, outputs[0], os, index, store);
};

const dequantize: KernelGenerator<QAttrs> = ({ attrs, inputs, outputs }) => {
  const [x, s, z] = inputs;
  const xs = x && wordOf(x.dtype);
  if (!x || !s || !xs || !(RANGE[x.dtype] || isMiniFloatType(x.dtype)) || scalarOf(s.dtype) !== 'f32') {
    return { kind: 'unsupported', reason: `DequantizeLinear from ${x?.dtype} has no GPU kernel` };
  }
  const index = paramIndex(x.dims, s.dims, attrs.axis, attrs.blockSize);
  if (!index) return { kind: 'unsupported', reason: 'DequantizeLinear scale shape' };
  // x - zero point is exact for integers; for narrow floats the reference rounds it to f32 too
  return quantKernel('dequantize', xs, z, outputs[0], 'f32', index, `k_out[idx] = (${zeroPoint(x.dtype, 'k_x[idx]')} - zp) * k_s[k];`);
};

const WIDTH = 256;

/**
 * DynamicQuantizeLinear: one workgroup finds min(x, 0) and max(x, 0) by tree reductions, derives
 * the uint8 scale and zero point as the reference does (in f32), then quantizes every element.
 */
const dynamicQuantize: KernelGenerator = ({ inputs, node }) => {
  const x = inputs[0];
  if (!x || scalarOf(x.dtype) !== 'f32') return { kind: 'unsupported', reason: `DynamicQuantizeLinear from ${x?.dtype} has no GPU kernel` };
  const n = x.dims.reduce((a, b) => a * b, 1);
  const decls: BufferDecl[] = [{ name: 'k_x', type: 'f32', access: 'read' }, { name: 'k_y', type: 'u32', access: 'read_write' }];
  const bindings: Binding[] = [{ kind: 'input', index: 0 }, { kind: 'output', index: 0 }];
  if (node.outputs[1]) {
    decls.push({ name: 'k_scale', type: 'f32', access: 'read_write' });
    bindings.push({ kind: 'output', index: 1 });
  }
  if (node.outputs[2]) {
    decls.push({ name: 'k_zp', type: 'u32', access: 'read_write' });
    bindings.push({ kind: 'output', index: 2 });
  }
  const wgsl = `${declareBuffers(decls)}
${helpersFor('k_div(')}
${workgroupReduce('min', 'f32', WIDTH, (a, b) => `min(${a}, ${b})`)}
${workgroupReduce('max', 'f32', WIDTH, (a, b) => `max(${a}, ${b})`)}
@compute @workgroup_size(${WIDTH})
fn main(@builtin(local_invocation_index) lid: u32) {
  var lo = 0.0f;
  var hi = 0.0f;
  for (var i = lid; i < ${n}u; i = i + ${WIDTH}u) { lo = min(lo, k_x[i]); hi = max(hi, k_x[i]); }
  lo = k_wg_min(lo, lid);
  hi = k_wg_max(hi, lid);
  let scale = k_div(hi - lo, 255.0f);
  let zp = select(clamp(round(k_div(0.0f - lo, scale)), 0.0f, 255.0f), 0.0f, scale == 0.0f);
  for (var i = lid; i < ${n}u; i = i + ${WIDTH}u) {
    let q = select(round(k_div(k_x[i], scale)), 0.0f, scale == 0.0f) + zp;
    k_y[i] = u32(clamp(q, 0.0f, 255.0f));
  }
  if (lid == 0u) {
${node.outputs[1] ? '    k_scale[0] = scale;\n' : ''}${node.outputs[2] ? '    k_zp[0] = u32(zp);\n' : ''}  }
}`;
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: [1, 1, 1], bindings, label: 'dynamicquantize' }] };
};

export const quantKernels: Record<string, KernelGenerator> = {
  DynamicQuantizeLinear: dynamicQuantize,
  QuantizeLinear: quantize as KernelGenerator,
  DequantizeLinear: dequantize as KernelGenerator,
};
