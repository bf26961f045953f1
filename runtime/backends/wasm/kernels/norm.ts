// Normalisations: LayerNormalization (with its optional Mean and InvStdDev outputs) and
// RMSNormalization, InstanceNormalization on plain planes, and an inference BatchNormalization
// the passes could not fold into a Conv, as a per-channel affine map in either layout.

import { normAxis } from '../../../ops/broadcast';
import { Calls, followsFirst, input, output, unsupported, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import { floats } from './pack';

const prod = (a: readonly number[]) => a.reduce((p, d) => p * d, 1);

/** LayerNormalization, or RMSNormalization (`rms`: no mean, no bias). */
const normalise = (rms: boolean): WasmKernel => ({
  lower: ({ attrs, inputs, outputs }: LowerArgs): Lowering => {
    const [x, scale, bias] = inputs;
    const at = attrs as { axis: number; epsilon: number; stashType: number };
    if (!x || !scale || x.dtype !== 'float32' || scale.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return unsupported('no kernel for these dtypes');
    if (outputs.slice(1).some((o) => o.dtype !== 'float32')) return unsupported('statistics other than float32');
    const axis = normAxis(rms ? 'RMSNormalization' : 'LayerNormalization', at.axis, x.dims.length);
    const n = prod(x.dims.slice(axis)), rows = prod(x.dims.slice(0, axis));
    if (prod(scale.dims) !== n || (bias && prod(bias.dims) !== n)) return unsupported('scale and bias must cover the normalised axes');
    const c = new Calls();
    if (rows * n === 0) return c.done();
    c.call('layernorm_f32', input(0), input(1), bias && !rms ? input(2) : 0, output(0), rows, n, at.epsilon,
      outputs.length > 1 ? output(1) : 0, outputs.length > 2 ? output(2) : 0, rms ? 1 : 0);
    return c.done();
  },
});

const instanceNorm: WasmKernel = {
  lower: ({ attrs, inputs }: LowerArgs): Lowering => {
    const [x, scale, bias] = inputs;
    if (!x || !scale || !bias || x.dtype !== 'float32' || scale.dtype !== 'float32' || bias.dtype !== 'float32' || x.dims.length < 3) return unsupported('no kernel for these inputs');
    const [N, C] = x.dims;
    const c = new Calls();
    const plane = prod(x.dims.slice(2));
    if (N * C * plane > 0) c.call('instancenorm_f32', input(0), output(0), N, C, plane, input(1), input(2), (attrs as { epsilon: number }).epsilon);
    return c.done();
  },
};

const batchNorm: WasmKernel = {
  layouts: followsFirst,
  lower: ({ attrs, inputs, constants, outputs }: LowerArgs): Lowering => {
    const x = inputs[0];
    const at = attrs as { epsilon: number; training: boolean };
    if (!x || x.dtype !== 'float32' || x.dims.length < 2) return unsupported(`no kernel for ${x?.dtype}`);
    if (at.training || outputs.length > 1) return unsupported('training mode has no kernel');
    if (![1, 2, 3, 4].every((i) => constants[i])) return unsupported('the statistics must be constant');
    const [scale, b, mean, variance] = [1, 2, 3, 4].map((i) => floats(constants[i]!));
    const C = x.dims[1];
    const s = new Float32Array(C), t = new Float32Array(C);
    for (let ch = 0; ch < C; ch++) {
      s[ch] = scale[ch] / Math.sqrt(variance[ch] + at.epsilon);
      t[ch] = b[ch] - mean[ch] * s[ch];
    }
    const c = new Calls();
    const N = x.dims[0], plane = prod(x.dims.slice(2));
    if (N * C * plane === 0) return c.done([x.layout]);
    if (x.layout === 'nhwc') c.call('affine_f32', input(0), output(0), N * plane, C, 1, c.const(s), c.const(t));
    else c.call('affine_f32', input(0), output(0), N, C, plane, c.const(s), c.const(t));
    return c.done([x.layout]);
  },
};

export const normKernels: Record<string, WasmKernel> = {
  LayerNormalization: normalise(false),
  RMSNormalization: normalise(true),
  InstanceNormalization: instanceNorm,
  BatchNormalization: batchNorm,
};
