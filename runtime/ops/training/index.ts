// The training op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';

export const trainingOps: OpSpec[] = [];
