// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (float32 scores [N, C, d…], int32/int64
// targets): the log-softmax over classes (into the log_prob output when asked for, else scratch),
// then the weighted, ignore-aware, reduced NLL kernel.

import { Calls, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';

const REDUCTIONS: Record<string, number> = { none: 0, sum: 1, mean: 2 };

function loss(softmax: boolean): WasmKernel {
  return {
    lower: ({ node, attrs, inputs }: LowerArgs): Lowering => {
      const [x, t, w] = inputs;
      const at = attrs as { reduction: string; ignoreIndex?: number };
      if (!x || x.dtype !== 'float32' || !t || (t.dtype !== 'int64' && t.dtype !== 'int32') || (w && w.dtype !== 'float32')) return unsupported('no kernel for these dtypes');
      const [N, C] = x.dims;
      const D = x.dims.slice(2).reduce((a, b) => a * b, 1);
      const c = new Calls();
      if (N * C * D === 0) return unsupported('empty scores');
      let logp: Addr = input(0);
      if (softmax) {
        logp = node.outputs[1] ? output(1) : c.needScratch(N * C * D * 4);
        c.call('softmax_f32', input(0), logp, N, C, D, 1);
      }
      const ignore = at.ignoreIndex;
      c.call('nll_loss_f32', logp, N, C, D, input(1), t.dtype === 'int64' ? 1 : 0, w ? input(2) : 0,
        ignore === undefined ? 0 : 1, ignore ?? 0, REDUCTIONS[at.reduction], output(0));
      return c.done();
    },
  };
}

export const lossKernels: Record<string, WasmKernel> = {
  NegativeLogLikelihoodLoss: loss(false),
  SoftmaxCrossEntropyLoss: loss(true),
};
