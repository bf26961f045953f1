// The reduce op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { argOps } from './arg';
import { cumOps } from './cumsum';
import { reductionOps } from './reduce';
import { softmaxOps } from './softmax';
import { topKOps } from './topk';

export const reduceOps: OpSpec[] = [...reductionOps, ...argOps, ...softmaxOps, ...cumOps, ...topKOps];
