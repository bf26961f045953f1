// The control-flow op family: If, Loop, Scan and SequenceMap, which run subgraphs through the executor.
import type { OpSpec } from '../spec';
import { ifOp } from './if';
import { loopOp } from './loop';
import { scanOp } from './scan';
import { sequenceMapOp } from './sequence-map';

export const controlOps: OpSpec[] = [ifOp, loopOp, scanOp, sequenceMapOp];
