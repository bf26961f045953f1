// InferenceSession: runs a small model, and refuses bad feeds with errors that say what was expected.

import { describe, expect, it } from 'vitest';
import { FeedError, InferenceSession } from '../../runtime/session';
import { tensor } from '../../runtime/tensor';
import { buildModel } from '../fixtures/onnx-builder';

const model = buildModel({
  inputs: [{ name: 'a', type: 'float32', dims: ['n', 3] }, { name: 'b', type: 'float32', dims: [3] }],
  outputs: [{ name: 'sum', type: 'float32', dims: ['n', 3] }],
  nodes: [{ op: 'Add', inputs: ['a', 'b'], outputs: ['sum'] }],
});

describe('InferenceSession', () => {
  it('describes its inputs and outputs and runs', async () => {
    const s = await InferenceSession.create(model);
    expect(s.inputs).toEqual([{ name: 'a', type: 'float32', dims: ['n', 3] }, { name: 'b', type: 'float32', dims: [3] }]);
    expect(s.outputs.map((o) => o.name)).toEqual(['sum']);
    const out = await s.run({ a: tensor('float32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6])), b: tensor('float32', [3], new Float32Array([10, 20, 30])) });
    expect(out.sum.dims).toEqual([2, 3]);
    expect(Array.from(out.sum.data as Float32Array)).toEqual([11, 22, 33, 14, 25, 36]);
  });

  it('refuses bad feeds with a FeedError naming what was expected', async () => {
    const s = await InferenceSession.create(model);
    const b = tensor('float32', [3], new Float32Array(3));
    await expect(s.run({ b })).rejects.toThrow(/missing input 'a' \(float32\[n,3\]\)/);
    await expect(s.run({ a: tensor('int32', [1, 3]), b })).rejects.toThrow(/must be float32\[n,3\], got int32\[1,3\]/);
    await expect(s.run({ a: tensor('float32', [1, 4]), b })).rejects.toThrow(/must have shape float32\[n,3\], got \[1,4\]/);
    await expect(s.run({ a: tensor('float32', [1, 3]), b, c: b })).rejects.toThrow(/unknown input 'c'/);
    await expect(s.run({ a: { type: 'float32', dims: [2, 3], data: new Float32Array(5) }, b })).rejects.toThrow(FeedError);
  });
});
