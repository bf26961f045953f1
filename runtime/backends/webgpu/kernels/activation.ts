// Activation epilogues as WGSL expressions over an f32 value: the meaning of the fusion pass's
// `kiln_activation` / `kiln_activation_params` attributes, applied where a kernel writes its output.
// The same expressions implement the activation ops themselves (LeakyRelu, Elu, Selu, …) as maps.

import type { Node } from '../../../ir/graph';
import type { KernelGenerator } from '../kernel';
import { scalarOf } from '../storage';
import { f32Lit } from '../wgsl';
import { ACTIVATION_HELPERS, helpersFor } from './activation-helpers';
import { mapKernel } from './elementwise-map';

export { ACTIVATION_HELPERS, helpersFor };

export interface Activation {
  readonly name: string;
  readonly params: readonly number[];
}

/** The fused activation recorded on a node, if any. */
export function fusedActivation(node: Node): Activation | undefined {
  const a = node.attrs.get('kiln_activation');
  if (a?.kind !== 'string') return undefined;
  const p = node.attrs.get('kiln_activation_params');
  return { name: a.value, params: p?.kind === 'floats' ? p.value : [] };
}

/** WGSL for `act(x)` over f32, or undefined when the activation has no GPU form here. */
export function activationExpr(act: Activation | undefined, x: string): string | undefined {
  if (!act) return x;
  const [p0, p1] = act.params;
  switch (act.name) {
    case 'Relu': return `max(${x}, 0.0f)`;
    case 'LeakyRelu': return `select(${x} * ${f32Lit(p0 ?? 0.01)}, ${x}, ${x} >= 0.0f)`;
    case 'Clip': return `clamp(${x}, ${f32Lit(p0 ?? -Infinity)}, ${f32Lit(p1 ?? Infinity)})`;
    case 'HardSigmoid': return `clamp(${f32Lit(p0 ?? 0.2)} * ${x} + ${f32Lit(p1 ?? 0.5)}, 0.0f, 1.0f)`;
    case 'HardSwish': return `(${x} * clamp(${x} / 6.0f + 0.5f, 0.0f, 1.0f))`;
    case 'Sigmoid': return `k_sigmoid(${x})`;
    case 'Tanh': return `k_tanh(${x})`;
    case 'Elu': return `select(${f32Lit(p0 ?? 1)} * k_expm1(${x}), ${x}, ${x} >= 0.0f)`;
    case 'Selu': return `(${f32Lit(p1 ?? 1.05070102214813232421875)} * select(${f32Lit(p0 ?? 1.67326319217681884765625)} * k_expm1(${x}), ${x}, ${x} > 0.0f))`;
    case 'Celu': return `(max(${x}, 0.0f) + min(0.0f, ${f32Lit(p0 ?? 1)} * k_expm1(${x} / ${f32Lit(p0 ?? 1)})))`;
    case 'ThresholdedRelu': return `select(0.0f, ${x}, ${x} > ${f32Lit(p0 ?? 1)})`;
    case 'Shrink': return `select(select(0.0f, ${x} - ${f32Lit(p1 ?? 0)}, ${x} > ${f32Lit(p0 ?? 0.5)}), ${x} + ${f32Lit(p1 ?? 0)}, ${x} < -${f32Lit(p0 ?? 0.5)})`;
    case 'Softplus': return `k_softplus(${x})`;
    case 'Softsign': return `(${x} / (1.0f + abs(${x})))`;
    case 'Mish': return `(${x} * k_tanh(k_softplus(${x})))`;
    case 'Swish': return `(${x} * k_sigmoid(${f32Lit(p0 ?? 1)} * ${x}))`;
    case 'Gelu': return p0 ? `(0.5f * ${x} * (1.0f + k_tanh(0.7978845608028654f * (${x} + 0.044715f * ${x} * ${x} * ${x}))))` : `(0.5f * ${x} * (1.0f + k_erf(${x} * 0.7071067811865476f)))`;
    default: return undefined;
  }
}

// ---- the activation ops with attributes, as float maps (the plain ones are in ./elementwise) ----

type Params<A> = (attrs: A) => readonly number[];

function activationOp<A>(op: string, params: Params<A>): KernelGenerator<A> {
  return ({ node, attrs, inputs, outputs }) => {
    const x = inputs[0];
    if (!x || scalarOf(x.dtype) !== 'f32') return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${x?.dtype ?? 'no input'}` };
    const own = activationExpr({ name: op, params: params(attrs) }, 'k_v0');
    const value = own === undefined ? undefined : activationExpr(fusedActivation(node), `(${own})`);
    if (value === undefined) return { kind: 'unsupported', reason: 'unknown fused activation' };
    return mapKernel(op.toLowerCase(), [{ type: 'f32', dims: x.dims }], { type: 'f32', dims: outputs[0].dims }, value);
  };
}

export const activationKernels: Record<string, KernelGenerator> = {
  LeakyRelu: activationOp<number>('LeakyRelu', (alpha) => [alpha]) as KernelGenerator,
  Elu: activationOp<number>('Elu', (alpha) => [alpha]) as KernelGenerator,
  Selu: activationOp<{ alpha: number; gamma: number }>('Selu', (a) => [a.alpha, a.gamma]) as KernelGenerator,
  Celu: activationOp<number>('Celu', (alpha) => [alpha]) as KernelGenerator,
  HardSigmoid: activationOp<{ alpha: number; beta: number }>('HardSigmoid', (a) => [a.alpha, a.beta]) as KernelGenerator,
  ThresholdedRelu: activationOp<number>('ThresholdedRelu', (alpha) => [alpha]) as KernelGenerator,
  Shrink: activationOp<{ lambd: number; bias: number }>('Shrink', (a) => [a.lambd, a.bias]) as KernelGenerator,
  Swish: activationOp<number>('Swish', (alpha) => [alpha]) as KernelGenerator,
  Gelu: activationOp<string>('Gelu', (approx) => [approx === 'tanh' ? 1 : 0]) as KernelGenerator,
};
