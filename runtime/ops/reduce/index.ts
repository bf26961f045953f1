// The reduce op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { argOps } from './arg';
import { batchNormOps } from './batchnorm';
import { cumOps, cumProdOp } from './cumsum';
import { dropoutOps } from './dropout';
import { einsumOps } from './einsum';
import { lpLrnOps } from './lp-lrn';
import { matrixOps } from './matrix';
import { normOps, rmsNormOp } from './norm';
import { reductionOps } from './reduce';
import { signalOps } from './signal';
import { softmaxOps } from './softmax';
import { topKOps } from './topk';

export const reduceOps: OpSpec[] = [
  ...reductionOps, ...argOps, ...softmaxOps, ...cumOps, ...topKOps,
  ...normOps, ...batchNormOps, ...lpLrnOps, ...dropoutOps, ...einsumOps, ...matrixOps, ...signalOps, cumProdOp,
];

/** RMSNormalization is written here but registered by the attention family, which owns it. */
export const unregisteredReduceOps: OpSpec[] = [rmsNormOp];
