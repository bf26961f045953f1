// The loss op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { lossSpecs } from './losses';

export const lossOps: OpSpec[] = [...lossSpecs];
