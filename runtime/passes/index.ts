// The compiler's graph passes, and `optimize`, which runs them in order for one set of input
// shapes: specialise shapes and fold constants, drop Identity and dead code, fold BatchNorm into
// Conv/Gemm and zero Pads into the Convs reading them, fuse residual adds into convolutions (when
// the backend asks), activations into their producers, then channel scales into the convolutions
// reading them (when the backend asks; after the activations, so that a SiLU written as
// Mul(x, Sigmoid(x)) fuses as one), drop dead code again.

import type { Model, TensorType } from '../ir/graph';
import { foldBatchNorm } from './batchnorm-fold';
import { eliminateDeadCode } from './dead-code';
import { fuseActivations } from './fuse-activations';
import { fuseChannelScales } from './fuse-channel-scale';
import { fusePads } from './fuse-pad';
import { fuseResidualAdds } from './fuse-residual';
import { eliminateIdentities } from './identity';
import { specialiseShapes } from './specialise';

export interface OptimizeOptions {
  /** constant folding and BatchNorm folding (default true) */
  readonly fold?: boolean;
  /** activation fusion (default true); the backend must then implement the epilogues */
  readonly fuse?: boolean;
  /** residual-add fusion into Conv (default false): for backends whose conv kernels add it */
  readonly fuseResidual?: boolean;
  /** per-channel Mul fusion into the pointwise Conv reading it (default false): likewise */
  readonly fuseChannelScale?: boolean;
}

export interface OptimizedModel {
  readonly model: Model;
  /** the inferred type of every value in the main graph (inputs, initializers, node outputs) */
  readonly types: ReadonlyMap<string, TensorType | null>;
}

export function optimize(
  model: Model, inputShapes: ReadonlyMap<string, readonly number[]>, options: OptimizeOptions = {},
): OptimizedModel {
  const fold = options.fold ?? true;
  const spec = specialiseShapes(model, inputShapes, { fold });
  let m = eliminateDeadCode(eliminateIdentities(spec.model));
  if (fold) m = foldBatchNorm(m, spec.types);
  m = fusePads(m);
  if (options.fuseResidual) m = fuseResidualAdds(m, spec.types);
  if (options.fuse ?? true) m = fuseActivations(m, spec.types);
  if (options.fuseChannelScale) m = fuseChannelScales(m, spec.types);
  m = eliminateDeadCode(m);
  // Re-infer over the final graph so the map names exactly the values that remain.
  const { types } = specialiseShapes(m, new Map(), { fold: false });
  return { model: m, types };
}

export { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR, applyActivation, type ActivationName } from './activation';
export { foldBatchNorm } from './batchnorm-fold';
export { eliminateDeadCode } from './dead-code';
export { FUSABLE_PRODUCERS, fuseActivations } from './fuse-activations';
export { addFusedResidual, fuseResidualAdds, RESIDUAL_ATTR, residualInput } from './fuse-residual';
export { fusePads } from './fuse-pad';
export { fuseChannelScales, INPUT_SCALE_ATTR, inputScaleInput, scaleFusedInput } from './fuse-channel-scale';
export { opInputs } from './fused-inputs';
export { eliminateIdentities } from './identity';
export { planMemory, type MemoryPlan } from './memory-plan';
export { MAX_FOLD_BYTES, specialiseShapes, type SpecialiseOptions, type Specialised } from './specialise';
export { bindInputs } from './bind-inputs';
export { VALUE_OPERANDS, valueOperandInputs } from './value-operands';
