// The loss op family: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss, for ../registry.
import type { OpSpec } from '../spec';
import { nllLossOp, sceLossOp } from './nll';

export const lossOps: OpSpec[] = [nllLossOp, sceLossOp];
