// The reduce op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { argOps } from './arg';
import { batchNormOps } from './batchnorm';
import { cumOps } from './cumsum';
import { dropoutOps } from './dropout';
import { einsumOps } from './einsum';
import { lpLrnOps } from './lp-lrn';
import { matrixOps } from './matrix';
import { normOps } from './norm';
import { reductionOps } from './reduce';
import { signalOps } from './signal';
import { softmaxOps } from './softmax';
import { topKOps } from './topk';

export const reduceOps: OpSpec[] = [
  ...reductionOps, ...argOps, ...softmaxOps, ...cumOps, ...topKOps,
  ...normOps, ...batchNormOps, ...lpLrnOps, ...dropoutOps, ...einsumOps, ...matrixOps, ...signalOps,
];
