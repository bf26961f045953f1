// Numpy broadcasting over values in either layout: each input's element strides along the
// output's axes (0 where it broadcasts).

import { logicalStrides, type ValueDesc } from '../layout';

/** Strides of `d` broadcast to `outDims` (right-aligned; 0 along broadcast axes), per output axis. */
export function broadcastStrides(d: ValueDesc, outDims: readonly number[]): number[] {
  const s = logicalStrides(d);
  const off = outDims.length - d.dims.length;
  return outDims.map((o, a) => {
    const i = a - off;
    return i < 0 || (d.dims[i] === 1 && o !== 1) ? 0 : s[i];
  });
}
