// The data-movement kernels, one table: index maps that copy 32-bit words (so one kernel serves
// every dtype) with shapes and strides baked in. Reshape and friends are aliases (./alias).

import type { KernelGenerator } from '../kernel';
import { gatherKernels } from './gather';
import { concatKernels } from './movement-concat';
import { generateKernels } from './movement-generate';
import { layoutKernels } from './movement-layout';
import { windowKernels } from './movement-window';
import { scatterKernels } from './scatter';

export const movementKernels: Record<string, KernelGenerator> = {
  ...layoutKernels,
  ...windowKernels,
  ...concatKernels,
  ...gatherKernels,
  ...scatterKernels,
  ...generateKernels,
};
