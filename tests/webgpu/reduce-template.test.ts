// The reduction template's indexing: groups and their elements walked as memory lays them out,
// so a contiguous run (a plane a GlobalAveragePool sums) is indexed without a division.

import { describe, expect, it } from 'vitest';
import { collapseAxes, groupLayout } from '../../runtime/backends/webgpu/kernels/reduce-template';
import { KernelDims } from '../../runtime/backends/webgpu/wgsl';

describe('reduction indexing', () => {
  it('merges neighbouring axes one stride spans and drops size-1 axes', () => {
    expect(collapseAxes([2, 3, 4], [12, 4, 1])).toEqual({ dims: [24], strides: [1] });
    expect(collapseAxes([2, 1, 4], [4, 4, 1])).toEqual({ dims: [8], strides: [1] });
    // C and W of an NCHW tensor: H lies between them
    expect(collapseAxes([8, 5], [30, 1])).toEqual({ dims: [8, 5], strides: [30, 1] });
    expect(collapseAxes([1, 1], [1, 1])).toEqual({ dims: [], strides: [] });
  });

  it('indexes a plane by its element number and a group by one stride, with sizes as uniforms', () => {
    const pool = groupLayout([1, 32, 112, 112], [2, 3], new KernelDims(true));
    expect(pool.groups).toBe(32);
    expect(pool.len).toBe(112 * 112);
    expect(pool.offset('j')).toBe('(j)');
    expect(pool.base('g')).toBe('(g * k_dims.gs0)');
  });

  it('keeps an axis of its own where the reduced axes are not neighbours in memory', () => {
    // ReduceSum over C and W of [2, 8, 6, 5]: the element j is (c, w) = (j / 5, j % 5)
    const layout = groupLayout([2, 8, 6, 5], [1, 3]);
    expect(layout.groups).toBe(12);
    expect(layout.offset('j')).toBe('((j / 5u) * 30u + (j % 5u))');
    expect(layout.base('g')).toBe('((g / 6u) * 240u + (g % 6u) * 5u)');
  });
});
