// A deterministic input for a model the user benchmarks or recompiles from the popup (no page is
// there to feed it): each declared input at its declared size, a dimension the model leaves open
// taken as 1 for the batch and 64 elsewhere; floats a smooth pattern in [-0.8, 0.8], others zeros.

import type { TensorInfo } from '../runtime/session';
import { allocData, sizeOf, type Tensor } from '../runtime/tensor';

export function syntheticFeeds(inputs: readonly TensorInfo[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const i of inputs) {
    const type = i.type ?? 'float32';
    const dims = (i.dims ?? [1]).map((d, axis) => (typeof d === 'number' && d > 0 ? d : axis === 0 ? 1 : 64));
    const data = allocData(type, sizeOf(dims));
    if (data instanceof Float32Array || data instanceof Float64Array) for (let k = 0; k < data.length; k++) data[k] = Math.sin(k * 0.37) * 0.8;
    feeds[i.name] = { type, dims, data };
  }
  return feeds;
}
