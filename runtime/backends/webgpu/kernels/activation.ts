// Activation epilogues as WGSL expressions over an f32 value: the meaning of the fusion pass's
// `kiln_activation` / `kiln_activation_params` attributes, applied where a kernel writes its output.

import type { Node } from '../../../ir/graph';
import { f32Lit } from '../wgsl';

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
    case 'Sigmoid': return `(1.0f / (1.0f + exp(-${x})))`;
    case 'Tanh': return `tanh(${x})`;
    case 'Elu': return `select(${f32Lit(p0 ?? 1)} * (exp(${x}) - 1.0f), ${x}, ${x} >= 0.0f)`;
    case 'Softplus': return `select(log(1.0f + exp(${x})), ${x}, ${x} > 20.0f)`;
    case 'Gelu': return p0 ? `(0.5f * ${x} * (1.0f + tanh(0.7978845608028654f * (${x} + 0.044715f * ${x} * ${x} * ${x}))))` : `(0.5f * ${x} * (1.0f + k_erf(${x} * 0.7071067811865476f)))`;
    default: return undefined;
  }
}

/** WGSL helper functions an expression may call (k_erf); included once per shader that needs them. */
export const ACTIVATION_HELPERS = `
fn k_erf(x: f32) -> f32 {
  // Below 0.5 the Taylor series converges in a few terms and keeps relative accuracy near 0;
  // above it, Numerical Recipes' erfc (fractional error < 1.2e-7) as 1 - erfc.
  let a = abs(x);
  var r: f32;
  if (a < 0.5f) {
    let t = a * a;
    r = a * (1.1283791670955126f + t * (-0.3761263890318375f + t * (0.11283791670955126f + t * (-0.026866170645131252f + t * 0.005223977625442188f))));
  } else {
    let t = 1.0f / (1.0f + 0.5f * a);
    let y = t * exp(-a * a - 1.26551223f + t * (1.00002368f + t * (0.37409196f + t * (0.09678418f + t * (-0.18628806f + t * (0.27886807f + t * (-1.13520398f + t * (1.48851587f + t * (-0.82215223f + t * 0.17087277f)))))))));
    r = 1.0f - y;
  }
  return select(-r, r, x >= 0.0f);
}
`;
