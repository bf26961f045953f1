// Numpy broadcasting over values in either layout: each input's element strides along the
// output's axes (0 where it broadcasts), and the layout a broadcasting op writes.

import { canBeChannelsLast, layoutFree, logicalStrides, type Layout, type ValueDesc } from '../layout';

/** Strides of `d` broadcast to `outDims` (right-aligned; 0 along broadcast axes), per output axis. */
export function broadcastStrides(d: ValueDesc, outDims: readonly number[]): number[] {
  const s = logicalStrides(d);
  const off = outDims.length - d.dims.length;
  return outDims.map((o, a) => {
    const i = a - off;
    return i < 0 || (d.dims[i] === 1 && o !== 1) ? 0 : s[i];
  });
}

/** Channels-last when the output could be and a full-size input already is. */
export function broadcastLayout(inputs: readonly (ValueDesc | undefined)[], outDims: readonly number[]): Layout {
  if (!canBeChannelsLast(outDims) || layoutFree(outDims)) return 'plain';
  const full = (d: ValueDesc | undefined) => d && d.layout === 'nhwc' && d.dims.length === outDims.length && d.dims.every((x, i) => x === outDims[i]);
  return inputs.some(full) ? 'nhwc' : 'plain';
}

