// foldBatchNorm: Conv/Gemm followed by an inference BatchNormalization becomes one node with
// rescaled weights, computing the same result.

import { describe, expect, it } from 'vitest';
import type { Model } from '../../runtime/ir/graph';
import { foldBatchNorm, specialiseShapes } from '../../runtime/passes';
import type { Tensor } from '../../runtime/tensor';
import { load, ops, rand, relDiff, runReference } from './helpers';

/** Scale, bias, mean and a positive variance for `c` channels. */
function bnParams(c: number): Record<string, Tensor> {
  const v = rand([c], 99);
  const variance = rand([c], 5);
  (variance.data as Float32Array).forEach((x, i, a) => (a[i] = Math.abs(x) + 0.1));
  return { scale: rand([c], 11), bias: rand([c], 12), mean: v, var: variance };
}
const BN = { op: 'BatchNormalization', inputs: ['h', 'scale', 'bias', 'mean', 'var'], outputs: ['y'], attrs: { epsilon: 0.001 } };

function expectSame(model: Model, folded: Model, feeds: Record<string, Tensor>) {
  const want = runReference(model, feeds).get('y')!;
  const got = runReference(folded, feeds).get('y')!;
  expect(relDiff(want, got)).toBeLessThan(1e-5);
}

const convModel = (withBias: boolean, extraOutput = false) => load({
  inputs: [{ name: 'x', type: 'float32', dims: [1, 4, 5, 5] }],
  outputs: [{ name: 'y', type: 'float32', dims: [1, 6, 5, 5] }, ...(extraOutput ? [{ name: 'h', type: 'float32' as const, dims: [1, 6, 5, 5] }] : [])],
  initializers: { w: rand([6, 2, 3, 3], 3), b: rand([6], 4), ...bnParams(6) },
  nodes: [
    { op: 'Conv', inputs: withBias ? ['x', 'w', 'b'] : ['x', 'w'], outputs: ['h'], attrs: { pads: [1, 1, 1, 1], group: 2 } },
    BN,
  ],
});

describe('foldBatchNorm', () => {
  for (const withBias of [true, false]) {
    it(`folds into a grouped Conv ${withBias ? 'with' : 'without'} bias`, () => {
      const model = convModel(withBias);
      const { model: m, types } = specialiseShapes(model, new Map());
      const folded = foldBatchNorm(m, types);
      expect(ops(folded)).toEqual(['Conv']);
      const conv = folded.graph.nodes[0];
      expect(conv.outputs).toEqual(['y']);
      expect(conv.inputs[1]).toBe('w__bnfold');
      expect(m.graph.initializers.has('w__bnfold')).toBe(false); // pure
      expectSame(model, folded, { x: rand([1, 4, 5, 5], 7) });
    });
  }

  it('leaves the pair alone when the Conv output has another reader', () => {
    const model = convModel(true, true);
    expect(ops(foldBatchNorm(model))).toEqual(['Conv', 'BatchNormalization']);
  });

  for (const transB of [0, 1]) {
    for (const c of ['none', 'vector', 'scalar'] as const) {
      it(`folds into Gemm (transB ${transB}, C ${c})`, () => {
        const model = load({
          inputs: [{ name: 'x', type: 'float32', dims: [3, 4] }],
          outputs: [{ name: 'y', type: 'float32', dims: [3, 5] }],
          initializers: {
            w: rand(transB ? [5, 4] : [4, 5], 21), ...bnParams(5),
            ...(c === 'vector' ? { c: rand([5], 22) } : c === 'scalar' ? { c: rand([1], 23) } : {}),
          },
          nodes: [
            { op: 'Gemm', inputs: c === 'none' ? ['x', 'w'] : ['x', 'w', 'c'], outputs: ['h'], attrs: { transB, alpha: 0.5, beta: 0.25 } },
            BN,
          ],
        });
        const folded = foldBatchNorm(model);
        expect(ops(folded)).toEqual(['Gemm']);
        expectSame(model, folded, { x: rand([3, 4], 8) });
      });
    }
  }

  it('picks fresh initializer names', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [1, 2, 3, 3] }],
      outputs: [{ name: 'y', type: 'float32', dims: [1, 2, 3, 3] }],
      initializers: { w: rand([2, 2, 1, 1], 3), w__bnfold: rand([1], 1), ...bnParams(2) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w'], outputs: ['h'] },
        BN,
        { op: 'Add', inputs: ['y', 'w__bnfold'], outputs: ['y2'] },
      ],
    });
    const folded = foldBatchNorm(model);
    expect(folded.graph.nodes[0].inputs[1]).toBe('w__bnfold1');
    expect(folded.graph.initializers.get('w__bnfold')).toBe(model.graph.initializers.get('w__bnfold'));
  });
});
