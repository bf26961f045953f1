// Activations with attributes (LeakyRelu, Elu, Selu, Celu, HardSigmoid, Swish, ThresholdedRelu,
// Gelu, Shrink): each parses its attributes once, then builds a scalar function for the unary map.

import type { Tensor } from '../../tensor';
import { OpError, defineOp, type Attrs, type OpSpec } from '../spec';
import { erf } from './math';
import { inferSameShape } from './infer';
import { mapNumbers } from './numeric';
import { FLOAT, NUMERIC, need, needType, type Accept } from './util';

function activation<P>(op: string, accept: Accept, parse: (a: Attrs) => P, make: (p: P) => (x: number) => number): OpSpec<P> {
  return defineOp<P>({
    op,
    attrs: parse,
    infer: (inputs) => inferSameShape(inputs),
    run: (inputs, p) => {
      const x: Tensor = needType(op, need(op, inputs[0], 'X'), accept);
      return [mapNumbers(x, make(p))];
    },
  });
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export const activationOps: OpSpec[] = [
  activation('LeakyRelu', FLOAT, (a) => a.float('alpha', 0.01), (alpha) => (x) => (x < 0 ? alpha * x : x)),
  activation('Elu', FLOAT, (a) => a.float('alpha', 1), (alpha) => (x) => (x < 0 ? alpha * Math.expm1(x) : x)),
  activation(
    'Selu', FLOAT,
    (a) => ({ alpha: a.float('alpha', 1.67326319217681884765625), gamma: a.float('gamma', 1.05070102214813232421875) }),
    ({ alpha, gamma }) => (x) => gamma * (x > 0 ? x : alpha * Math.expm1(x)),
  ),
  activation('Celu', FLOAT, (a) => a.float('alpha', 1), (alpha) => (x) => Math.max(0, x) + Math.min(0, alpha * Math.expm1(x / alpha))),
  activation(
    'HardSigmoid', FLOAT,
    (a) => ({ alpha: a.float('alpha', 0.2), beta: a.float('beta', 0.5) }),
    ({ alpha, beta }) => (x) => Math.max(0, Math.min(1, alpha * x + beta)),
  ),
  activation('Swish', FLOAT, (a) => a.float('alpha', 1), (alpha) => (x) => x / (1 + Math.exp(-alpha * x))),
  activation('ThresholdedRelu', FLOAT, (a) => a.float('alpha', 1), (alpha) => (x) => (x > alpha ? x : 0)),
  activation('Gelu', FLOAT, (a) => {
    const approx = a.string('approximate', 'none');
    if (approx !== 'none' && approx !== 'tanh') throw new OpError('Gelu', `approximate must be 'none' or 'tanh', got '${approx}'`);
    return approx;
  }, (approx) => {
    if (approx === 'tanh') return (x) => 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
    return (x) => 0.5 * x * (1 + erf(x / Math.SQRT2));
  }),
  activation(
    'Shrink', NUMERIC,
    (a) => ({ lambd: a.float('lambd', 0.5), bias: a.float('bias', 0) }),
    ({ lambd, bias }) => (x) => (x < -lambd ? x + bias : x > lambd ? x - bias : 0),
  ),
] as OpSpec[];
