// The movement op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { centerCropPad } from './center-crop-pad';
import { concatSplitOps } from './concat-split';
import { constantOps } from './constant';
import { gatherOps } from './gather';
import { generateOps } from './generate';
import { layoutOps } from './layout';
import { optionalOps } from './optional';
import { padOps } from './pad';
import { scatterOps } from './scatter';
import { selectOps } from './select';
import { sequenceOps } from './sequence';
import { shapeOps } from './shape';
import { sliceOps } from './slice';
import { tensorScatter } from './tensor-scatter';
import { uniqueOps } from './unique';

export const movementOps: OpSpec[] = [
  ...constantOps,
  ...shapeOps,
  ...layoutOps,
  ...concatSplitOps,
  ...sliceOps,
  ...gatherOps,
  ...scatterOps,
  ...padOps,
  ...generateOps,
  ...selectOps,
  ...uniqueOps,
  ...sequenceOps,
  ...optionalOps,
  centerCropPad,
  tensorScatter,
];
