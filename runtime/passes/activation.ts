// The activation epilogues a producer may carry after fusion (attributes `kiln_activation` and
// `kiln_activation_params`), and their CPU meaning: the oracle the backends' epilogues match.

import type { Node } from '../ir/graph';
import { erf } from '../ops/elementwise/math';
import { fromNumbers, isFloatType, toNumbers, type Tensor } from '../tensor';

export const ACTIVATION_ATTR = 'kiln_activation';
export const ACTIVATION_PARAMS_ATTR = 'kiln_activation_params';

export type ActivationName =
  | 'Relu' | 'LeakyRelu' | 'Clip' | 'HardSigmoid' | 'HardSwish' | 'Sigmoid' | 'Tanh' | 'Gelu' | 'Elu' | 'Softplus'
  /** x · sigmoid(alpha · x): ONNX's Swish (opset 24), and SiLU written as Mul(x, Sigmoid(x)) */
  | 'Swish';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** Each activation as a function of x and its params (see fuse-activations.ts for their order). */
const ACTIVATIONS: Readonly<Record<ActivationName, (x: number, p: readonly number[]) => number>> = {
  Relu: (x) => (x > 0 ? x : 0),
  LeakyRelu: (x, [alpha]) => (x < 0 ? alpha * x : x),
  Clip: (x, [min, max]) => Math.min(Math.max(x, min), max),
  HardSigmoid: (x, [alpha, beta]) => Math.max(0, Math.min(1, alpha * x + beta)),
  HardSwish: (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5)),
  Sigmoid: (x) => sigmoid(x),
  Tanh: (x) => Math.tanh(x),
  Gelu: (x, [approximate]) =>
    approximate ? 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x))) : 0.5 * x * (1 + erf(x / Math.SQRT2)),
  Elu: (x, [alpha]) => (x < 0 ? alpha * Math.expm1(x) : x),
  Softplus: (x) => (x > 30 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))),
  Swish: (x, [alpha]) => x * sigmoid(alpha * x),
};

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

export function isActivationName(name: string): name is ActivationName {
  return Object.prototype.hasOwnProperty.call(ACTIVATIONS, name);
}

/** The fused epilogue applied to one value: `name` and `params` as the attributes hold them. */
export function applyActivation(name: string, params: readonly number[], x: number): number {
  if (!isActivationName(name)) throw new Error(`unknown fused activation '${name}'`);
  return ACTIVATIONS[name](x, params);
}

/** A fused producer's output after its epilogue, on the CPU (for nodes that run on a reference kernel). */
export function applyFusedActivation(node: Node, t: Tensor): Tensor {
  const a = node.attrs.get(ACTIVATION_ATTR);
  if (a?.kind !== 'string' || !isFloatType(t.type)) return t;
  const p = node.attrs.get(ACTIVATION_PARAMS_ATTR);
  const params = p?.kind === 'floats' ? p.value : [];
  const x = toNumbers(t);
  for (let i = 0; i < x.length; i++) x[i] = applyActivation(a.value, params, x[i]);
  return fromNumbers(t.type, t.dims, x);
}
