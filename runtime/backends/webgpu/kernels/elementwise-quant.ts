// QuantizeLinear and DequantizeLinear to and from the integer types a GPU word holds (8-, 16- and
// 32-bit), per tensor, per axis or blocked: elementwise maps whose scale / zero-point index is
// computed from the element's flat index with the shapes baked in; DynamicQuantizeLinear too.

import type { DType } from '../../../tensor';
import type { Binding, KernelGenerator, Lowering, ValueDesc } from '../kernel';
import { scalarOf, type Scalar } from '../storage';
import { declareBuffers, f32Lit, flatMain, grid1d, type BufferDecl } from '../wgsl';
import { normAxis } from '../../../ops/broadcast';
import { helpersFor } from './activation-helpers';
import { workgroupReduce } from './reduce-template';

interface QAttrs {
  readonly axis: number;
  readonly blockSize: number;
  readonly outputDtype: number;
}

const RANGE: Partial<Record<DType, [number, number]>> = {
  uint8: [0, 255], int8: [-128, 127], uint16: [0, 65535], int16: [-32768, 32767], int32: [-2147483648, 2147483647],
};

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

function quantKernel(label: string, x: ValueDesc, xs: Scalar, scale: ValueDesc, zp: ValueDesc | undefined, out: ValueDesc, os: Scalar, index: string, value: string): Lowering {
  const decls: BufferDecl[] = [{ name: 'k_x', type: xs, access: 'read' }, { name: 'k_s', type: 'f32', access: 'read' }];
  const bindings: Binding[] = [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }];
  const zs = zp && scalarOf(zp.dtype);
  if (zp && zs) {
    decls.push({ name: 'k_z', type: zs, access: 'read' });
    bindings.push({ kind: 'input', index: 2 });
  }
  decls.push({ name: 'k_out', type: os, access: 'read_write' });
  bindings.push({ kind: 'output', index: 0 });
  const n = out.dims.reduce((a, b) => a * b, 1);
  const body = `  let k = ${index};
  let zp = ${zp ? 'f32(k_z[k])' : '0.0f'};
  k_out[idx] = ${value};`;
  const main = flatMain(n, body);
  const wgsl = `${declareBuffers(decls)}\n${helpersFor(main)}\n${main}`;
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(n), bindings, label }] };
}

const OUTPUT_DTYPES: Record<number, DType> = { 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32' };

const quantize: KernelGenerator<QAttrs> = ({ attrs, inputs, outputs }) => {
  const [x, s, z] = inputs;
  const to = z?.dtype ?? OUTPUT_DTYPES[attrs.outputDtype] ?? (attrs.outputDtype ? undefined : 'uint8');
  const range = to && RANGE[to];
  const os = to && scalarOf(to);
  if (!x || !s || !range || !os || scalarOf(x.dtype) !== 'f32' || scalarOf(s.dtype) !== 'f32') {
    return { kind: 'unsupported', reason: `QuantizeLinear to ${to ?? 'this type'} has no GPU kernel` };
  }
  const index = paramIndex(x.dims, s.dims, attrs.axis, attrs.blockSize);
  if (!index) return { kind: 'unsupported', reason: 'QuantizeLinear scale shape' };
  // round half to even (WGSL round), add the zero point, saturate to the type
  const q = `clamp(round(k_div(k_x[idx], k_s[k])) + zp, ${f32Lit(range[0])}, ${f32Lit(range[1])})`;
  return quantKernel('quantize', x, 'f32', s, z, outputs[0], os, index, os === 'i32' ? `i32(${q})` : `u32(${q})`);
};

const dequantize: KernelGenerator<QAttrs> = ({ attrs, inputs, outputs }) => {
  const [x, s, z] = inputs;
  const xs = x && scalarOf(x.dtype);
  if (!x || !s || !xs || xs === 'f32' || !RANGE[x.dtype] || scalarOf(s.dtype) !== 'f32') {
    return { kind: 'unsupported', reason: `DequantizeLinear from ${x?.dtype} has no GPU kernel` };
  }
  const index = paramIndex(x.dims, s.dims, attrs.axis, attrs.blockSize);
  if (!index) return { kind: 'unsupported', reason: 'DequantizeLinear scale shape' };
  return quantKernel('dequantize', x, xs, s, z, outputs[0], 'f32', index, '(f32(k_x[idx]) - zp) * k_s[k]');
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
