// QuantizeLinear and DequantizeLinear between float32 (scales float32) and the 8-, 16- and 32-bit
// integer types, per tensor, per axis or blocked; the parameter layout is resolved here into the
// three strides the kernels take.

import { normAxis } from '../../../ops/broadcast';
import { TYPE } from '../codes';
import { Calls, input, output, unsupported, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';

const RANGE: Partial<Record<string, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535], int32: [-2147483648, 2147483647],
};

interface QAttrs {
  readonly axis: number;
  readonly blockSize: number;
}

/** [outer, axisLen, inner] and the parameter strides for a scale of shape `sDims`, or why not. */
function view(dims: readonly number[], sDims: readonly number[], at: QAttrs): number[] | string {
  const prod = (a: readonly number[]) => a.reduce((p, d) => p * d, 1);
  // per tensor: one run, whatever the axis says
  if (prod(sDims) === 1) return [1, prod(dims), 1, 1, 0, 0, 0];
  const axis = normAxis('QuantizeLinear', at.axis, dims.length);
  const outer = prod(dims.slice(0, axis)), len = dims[axis], inner = prod(dims.slice(axis + 1));
  if (sDims.length === 1) return sDims[0] === len ? [outer, len, inner, 1, 0, 1, 0] : 'the per-axis scale does not match the axis';
  if (sDims.length !== dims.length) return 'the scale fits neither per-axis nor blocked quantization';
  const block = at.blockSize > 0 ? at.blockSize : Math.ceil(len / sDims[axis]);
  return [outer, len, inner, block, sDims[axis] * inner, inner, 1];
}

const quantize: WasmKernel = {
  lower: ({ attrs, inputs, outputs }: LowerArgs): Lowering => {
    const [x, s] = inputs;
    const to = outputs[0].dtype;
    const range = RANGE[to];
    if (!x || !s || x.dtype !== 'float32' || s.dtype !== 'float32' || !range) return unsupported(`no kernel from ${x?.dtype} to ${to}`);
    const v = view(x.dims, s.dims, attrs as QAttrs);
    if (typeof v === 'string') return unsupported(v);
    const c = new Calls();
    const [outer, len, inner, block, os, as, ks] = v;
    if (outer * len * inner > 0) c.call('quantize_f32', input(0), input(1), inputs[2] ? input(2) : 0, output(0), TYPE[to]!, outer, len, inner, block, os, as, ks, range[0], range[1]);
    return c.done();
  },
};

const dequantize: WasmKernel = {
  lower: ({ attrs, inputs }: LowerArgs): Lowering => {
    const [x, s] = inputs;
    if (!x || !s || !RANGE[x.dtype] || s.dtype !== 'float32') return unsupported(`no kernel from ${x?.dtype} with ${s?.dtype} scales`);
    const v = view(x.dims, s.dims, attrs as QAttrs);
    if (typeof v === 'string') return unsupported(v);
    const c = new Calls();
    const [outer, len, inner, block, os, as, ks] = v;
    if (outer * len * inner > 0) c.call('dequantize_f32', input(0), TYPE[x.dtype]!, input(1), inputs[2] ? input(2) : 0, output(0), outer, len, inner, block, os, as, ks);
    return c.done();
  },
};

export const quantKernels: Record<string, WasmKernel> = { QuantizeLinear: quantize, DequantizeLinear: dequantize };
