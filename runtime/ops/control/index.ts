// The control-flow op family: If, Loop and Scan, which run subgraphs through the executor.
import type { OpSpec } from '../spec';
import { ifOp } from './if';
import { loopOp } from './loop';
import { scanOp } from './scan';

export const controlOps: OpSpec[] = [ifOp, loopOp, scanOp];
