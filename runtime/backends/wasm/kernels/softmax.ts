// Softmax and LogSoftmax over one axis (opset 13+) or the flattened trailing axes (before 13).
// A channels-last input softmaxed over channels is a run of contiguous rows as it stands.

import { normAxis } from '../../../ops/broadcast';
import { canBeChannelsLast } from '../layout';
import { Calls, input, output, unsupported, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';

interface SoftmaxAttrs {
  readonly axis: number;
  readonly coerce2d: boolean;
}

function softmax(log: boolean): WasmKernel {
  return {
    layouts: ({ inputs, attrs }) => {
      const x = inputs[0];
      const at = attrs as SoftmaxAttrs;
      // over channels, either layout will do: channels-last has them innermost
      const channels = !!x && canBeChannelsLast(x.dims) && !at.coerce2d && normAxis('Softmax', at.axis, x.dims.length) === 1;
      return channels ? { inputs: ['out'], output: 'free' } : { inputs: ['plain'], output: 'plain' };
    },
    lower: ({ node, attrs, inputs }: LowerArgs<SoftmaxAttrs>): Lowering => {
      const x = inputs[0];
      if (!x || x.dtype !== 'float32') return unsupported(`no kernel for ${x?.dtype}`);
      const dims = x.dims;
      const axis = normAxis(node.op, attrs.axis, dims.length);
      const prod = (a: readonly number[]) => a.reduce((p, d) => p * d, 1);
      const c = new Calls();
      if (prod(dims) === 0) return c.done([x.layout]);
      if (x.layout === 'nhwc') {
        const C = dims[1];
        c.call('softmax_f32', input(0), output(0), prod(dims) / C, C, 1, log ? 1 : 0);
        return c.done(['nhwc']);
      }
      const outer = prod(dims.slice(0, axis));
      const n = attrs.coerce2d ? prod(dims.slice(axis)) : dims[axis];
      const inner = attrs.coerce2d ? 1 : prod(dims.slice(axis + 1));
      c.call('softmax_f32', input(0), output(0), outer, n, inner, log ? 1 : 0);
      return c.done();
    },
  };
}

export const softmaxKernels: Record<string, WasmKernel> = {
  Softmax: softmax(false),
  LogSoftmax: softmax(true),
};
