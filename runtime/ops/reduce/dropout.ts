// Dropout: the identity at inference (mask all true). In training mode (opset ≥ 12, the
// training_mode input) it zeroes elements at random and rescales the rest by 1/(1-ratio); that
// random stream follows numpy's when a seed is given (see ./mt19937), as the ONNX tests expect.

import { fromNumbers, sizeOf, tensor, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type OpSpec } from '../spec';
import { mt19937 } from './mt19937';
import { need, tensorType } from './util';

interface DropoutAttrs {
  /** the ratio attribute (before opset 12) */
  readonly ratio: number;
  readonly seed?: number;
  /** the mask output's type: the input's before opset 10, bool after */
  readonly boolMask: boolean;
  /** ratio and training_mode come as inputs from opset 12 */
  readonly inputsForm: boolean;
}

/** Seeded masks replay numpy's stream (the ONNX reference); unseeded ones use Math.random. */
const rng = (seed: number | undefined): (() => number) => (seed === undefined ? Math.random : mt19937(seed));

export const dropoutOp = defineOp<DropoutAttrs>({
  op: 'Dropout',
  attrs: (a, opset) => ({ ratio: a.float('ratio', 0.5), seed: a.int('seed'), boolMask: opset >= 10, inputsForm: opset >= 12 }),
  infer: ([x], at) => [x ?? null, x ? tensorType(at.boolMask ? 'bool' : x.dtype, x.shape) : null],
  run: (inputs, at, ctx) => {
    const op = 'Dropout';
    const x = need(op, inputs[0], 'data');
    const n = sizeOf(x.dims);
    const training = at.inputsForm && inputs[2] !== undefined && toNumbers(inputs[2])[0] !== 0;
    const ratio = at.inputsForm ? (inputs[1] ? toNumbers(inputs[1])[0] : 0.5) : at.ratio;
    if (!training || ratio === 0) {
      if (ctx.numOutputs < 2) return [x];
      const mask: Tensor = at.boolMask ? tensor('bool', x.dims, new Uint8Array(n).fill(1)) : fromNumbers(x.type, x.dims, new Float64Array(n).fill(1));
      return [x, mask];
    }
    if (!(ratio >= 0 && ratio < 1)) throw new OpError(op, `ratio must be in [0, 1), got ${ratio}`);
    const rand = rng(at.seed);
    const xs = toNumbers(x);
    const keep = new Uint8Array(n);
    const y = new Float64Array(n);
    const scale = 1 / (1 - ratio);
    for (let i = 0; i < n; i++) {
      keep[i] = rand() >= ratio ? 1 : 0;
      y[i] = keep[i] ? xs[i] * scale : 0;
    }
    return [fromNumbers(x.type, x.dims, y), tensor('bool', x.dims, keep)];
  },
});

export const dropoutOps: OpSpec[] = [dropoutOp];
