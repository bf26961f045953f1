// Pools: MaxPool (values only) and AveragePool over channels-last windows (1-D and 2-D), and the
// global pools as a mean or max over the spatial axes, which in either layout is one reduction.

import { geometry, type SpatialAttrs } from '../../../ops/nn/util';
import { REDUCE } from '../codes';
import { Calls, channelsLast, input, output, unsupported, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import { canBeChannelsLast } from '../layout';
import { window2 } from './conv';

interface PoolAttrs extends SpatialAttrs {
  readonly countIncludePad: boolean;
}

function lowerPool(kind: 'max' | 'avg') {
  return ({ node, attrs, inputs }: LowerArgs<PoolAttrs>): Lowering => {
    const x = inputs[0];
    if (!x || x.dtype !== 'float32') return unsupported(`no kernel for ${x?.dtype}`);
    if (node.outputs.length > 1 && node.outputs[1]) return unsupported('the Indices output has no kernel');
    if (!canBeChannelsLast(x.dims)) return unsupported('only 1-D and 2-D pools have a kernel');
    if (node.attrs.has('kiln_activation')) return unsupported('fused activation not applicable');
    const geo = geometry(node.op, x.dims.slice(2), attrs.kernelShape ?? [], attrs);
    const w = window2(x.dims.slice(2), geo);
    const [N, C] = x.dims;
    const c = new Calls();
    const inImage = w.H * w.W * C * 4, outImage = w.OH * w.OW * C * 4;
    for (let n = 0; n < N && C > 0; n++) {
      if (kind === 'max') {
        c.call('maxpool_nhwc_f32', input(0, n * inImage), w.H, w.W, C, output(0, n * outImage), w.OH, w.OW, w.KH, w.KW, w.SH, w.SW, w.DH, w.DW, w.PT, w.PL);
      } else {
        c.call('avgpool_nhwc_f32', input(0, n * inImage), w.H, w.W, C, output(0, n * outImage), w.OH, w.OW, w.KH, w.KW, w.SH, w.SW, w.DH, w.DW,
          w.PT, w.PL, w.PB, w.PR, attrs.countIncludePad ? 1 : 0);
      }
    }
    return c.done(['nhwc']);
  };
}

function lowerGlobal(op: number) {
  return ({ inputs }: LowerArgs): Lowering => {
    const x = inputs[0];
    if (!x || x.dtype !== 'float32' || x.dims.length < 3) return unsupported(`no kernel for ${x?.dtype}`);
    const [N, C] = x.dims;
    const plane = x.dims.slice(2).reduce((a, b) => a * b, 1);
    const c = new Calls();
    // channels-last: [N, plane, C] reduced along plane; channels-first: [N·C, plane] along rows
    if (x.layout === 'nhwc') c.call('reduce_f32', op, input(0), output(0), N, plane, C);
    else c.call('reduce_f32', op, input(0), output(0), N * C, plane, 1);
    return c.done();
  };
}

const windowed = (kind: 'max' | 'avg'): WasmKernel => ({
  layouts: channelsLast,
  lower: lowerPool(kind) as WasmKernel['lower'],
});

// reads either layout through its own loops; [N, C, 1, …] is the same bytes in both
const global = (op: number): WasmKernel => ({ layouts: ({ inputs }) => ({ inputs: inputs.map(() => 'any'), output: 'plain' }), lower: lowerGlobal(op) });

export const poolKernels: Record<string, WasmKernel> = {
  MaxPool: windowed('max'),
  AveragePool: windowed('avg'),
  GlobalAveragePool: global(REDUCE.ReduceMean),
  GlobalMaxPool: global(REDUCE.ReduceMax),
};
