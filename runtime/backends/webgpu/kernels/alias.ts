// Ops that only reinterpret their input's shape: no kernel, the output shares the input's buffer.

import type { KernelGenerator } from '../kernel';

const alias: KernelGenerator = ({ inputs }) =>
  inputs[0] ? { kind: 'alias', input: 0 } : { kind: 'unsupported', reason: 'needs an input' };

export const aliasKernels: Record<string, KernelGenerator> = {
  Reshape: alias, Flatten: alias, Squeeze: alias, Unsqueeze: alias, Identity: alias,
};
