// The inputs a fused node's own op takes. Residual and channel-scale fusion give a Conv extra
// inputs after its own (./fuse-residual.ts, ./fuse-channel-scale.ts), which a reference kernel
// does not read: where such a node runs on one (a backend's CPU fallback, a test's evaluator), its
// own inputs are these, the channel scale applied to X; the residual is added to the output after
// (addFusedResidual), then the activation epilogue.

import type { Node } from '../ir/graph';
import { isTensor, type Value } from '../tensor';
import { inputScaleInput, scaleFusedInput } from './fuse-channel-scale';
import { residualInput } from './fuse-residual';

/** The node's inputs as its op takes them: fused extras dropped, a fused channel scale applied to X. */
export function opInputs<V extends Value | undefined>(node: Node, ins: readonly V[]): V[] {
  const ri = residualInput(node);
  const si = inputScaleInput(node);
  const own = ins.slice(0, Math.min(ri ?? ins.length, si ?? ins.length));
  const x = own[0];
  if (si !== undefined && isTensor(x)) {
    const scale = ins[si];
    own[0] = scaleFusedInput(node, x, isTensor(scale) ? scale : undefined) as V;
  }
  return own;
}
