// fuseChannelScales: a squeeze-and-excitation block's Mul(x, s), read only by a pointwise Conv,
// folds into the Conv as a channel-scale input, and evaluating the fused graph gives the unfused
// one's result; Muls that cannot fold (a 3×3 Conv, a shared product, a scale that is not per
// channel, a product the Conv reads as its weights) stay.

import { describe, expect, it } from 'vitest';
import type { Model } from '../../runtime/ir/graph';
import type { Tensor } from '../../runtime/tensor';
import { INPUT_SCALE_ATTR, inputScaleInput, optimize } from '../../runtime/passes';
import type { NodeSpec } from '../fixtures/onnx-builder';
import { load, ops, rand, relDiff, runFused, runReference } from './helpers';

const X = [1, 4, 5, 5];

/** |t| + 0.1, for a BatchNormalization's variance */
function positive(t: Tensor): Tensor {
  (t.data as Float32Array).forEach((x, i, a) => (a[i] = Math.abs(x) + 0.1));
  return t;
}

function model(nodes: NodeSpec[], outputs = ['y']): Model {
  return load({
    opset: 17,
    inputs: [{ name: 'x', type: 'float32', dims: X }],
    outputs: outputs.map((name) => ({ name, type: 'float32', dims: ['a', 'b', 'c', 'd'] })),
    initializers: { w1: rand([6, 4, 1, 1], 5), b1: rand([6], 4), w3: rand([6, 4, 3, 3], 3), r: rand([1, 6, 5, 5], 7), sw: rand([4, 4, 1, 1], 8), plane: rand([1, 1, 5, 5], 2),
      bn_s: rand([6], 11), bn_b: rand([6], 12), bn_m: rand([6], 13), bn_v: positive(rand([6], 14)) },
    nodes,
  });
}

/** squeeze and excitation: s = Sigmoid(Conv1×1(GlobalAveragePool(x))), [1, 4, 1, 1] */
const squeeze: NodeSpec[] = [
  { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] },
  { op: 'Conv', inputs: ['g', 'sw'], outputs: ['e'] },
  { op: 'Sigmoid', inputs: ['e'], outputs: ['s'] },
];

const fused = (m: Model) => optimize(m, new Map([['x', X]]), { fuseResidual: true, fuseChannelScale: true }).model;

function sameResult(m: Model, f: Model): void {
  const feeds = { x: rand(X, 9) };
  const want = runReference(m, feeds);
  const got = runFused(f, feeds);
  for (const [k, v] of want) expect(relDiff(got.get(k)!, v), k).toBeLessThan(1e-6);
}

describe('fuseChannelScales', () => {
  it('folds an excitation Mul into the pointwise Conv that reads it (either operand order), residual kept first', () => {
    for (const mulIns of [['x', 's'], ['s', 'x']]) {
      const m = model([...squeeze, { op: 'Mul', inputs: mulIns, outputs: ['m'] }, { op: 'Conv', inputs: ['m', 'w1', 'b1'], outputs: ['c'] }, { op: 'Add', inputs: ['c', 'r'], outputs: ['y'] }]);
      const f = fused(m);
      expect(ops(f)).toEqual(['GlobalAveragePool', 'Conv', 'Conv']);
      const conv = f.graph.nodes[2];
      expect(conv.inputs[0]).toBe('x');
      expect(inputScaleInput(conv)).toBe(4); // after X, W, B and the fused residual
      expect(conv.inputs[4]).toBe(f.graph.nodes[1].outputs[0]);
      sameResult(m, f);
    }
  });

  it('folds into a Conv whose BatchNorm was folded into it (new weights), as in EfficientNet', () => {
    const m = model([...squeeze, { op: 'Mul', inputs: ['s', 'x'], outputs: ['m'] }, { op: 'Conv', inputs: ['m', 'w1'], outputs: ['c'] },
      { op: 'BatchNormalization', inputs: ['c', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], outputs: ['y'] }]);
    const f = fused(m);
    expect(ops(f)).toEqual(['GlobalAveragePool', 'Conv', 'Conv']);
    expect(f.graph.nodes[2].attrs.has(INPUT_SCALE_ATTR)).toBe(true);
    sameResult(m, f);
  });

  it("with SiLUs written out as Mul(x, Sigmoid(x)) (EfficientNet), they fuse as Swish and only the excitation's Mul folds", () => {
    const m = model([
      { op: 'GlobalAveragePool', inputs: ['x'], outputs: ['g'] },
      { op: 'Conv', inputs: ['g', 'sw'], outputs: ['h'] },
      { op: 'Sigmoid', inputs: ['h'], outputs: ['hs'] },
      { op: 'Mul', inputs: ['h', 'hs'], outputs: ['h2'] }, // a SiLU on [1, 4, 1, 1]: looks like a channel scale
      { op: 'Conv', inputs: ['h2', 'sw'], outputs: ['e'] },
      { op: 'Sigmoid', inputs: ['e'], outputs: ['s'] },
      { op: 'Mul', inputs: ['s', 'x'], outputs: ['m'] },
      { op: 'Conv', inputs: ['m', 'w1'], outputs: ['y'] },
    ]);
    const f = fused(m);
    expect(f.graph.nodes.map((n) => `${n.op}${n.attrs.has('kiln_activation') ? '+act' : ''}`)).toEqual(['GlobalAveragePool', 'Conv+act', 'Conv+act', 'Conv']);
    expect(inputScaleInput(f.graph.nodes[3])).toBe(3);
    sameResult(m, f);
  });

  it('a Conv without a bias gets an empty one before the scale', () => {
    const m = model([...squeeze, { op: 'Mul', inputs: ['x', 's'], outputs: ['m'] }, { op: 'Conv', inputs: ['m', 'w1'], outputs: ['y'] }]);
    const f = fused(m);
    const conv = f.graph.nodes.find((n) => n.attrs.has(INPUT_SCALE_ATTR))!;
    expect(conv.inputs.slice(0, 3)).toEqual(['x', 'w1', '']);
    expect(inputScaleInput(conv)).toBe(3);
    sameResult(m, f);
  });

  it('leaves the Mul where it cannot fold', () => {
    const cases: { nodes: NodeSpec[]; outputs?: string[] }[] = [
      // a 3×3 Conv reads the product
      { nodes: [...squeeze, { op: 'Mul', inputs: ['x', 's'], outputs: ['m'] }, { op: 'Conv', inputs: ['m', 'w3'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1] } }] },
      // the product is read twice
      { nodes: [...squeeze, { op: 'Mul', inputs: ['x', 's'], outputs: ['m'] }, { op: 'Conv', inputs: ['m', 'w1'], outputs: ['y'] }, { op: 'Relu', inputs: ['m'], outputs: ['q'] }], outputs: ['y', 'q'] },
      // a per-position scale, not per channel
      { nodes: [{ op: 'Mul', inputs: ['x', 'plane'], outputs: ['m'] }, { op: 'Conv', inputs: ['m', 'w1'], outputs: ['y'] }] },
      // a strided pointwise Conv
      { nodes: [...squeeze, { op: 'Mul', inputs: ['x', 's'], outputs: ['m'] }, { op: 'Conv', inputs: ['m', 'w1'], outputs: ['y'], attrs: { strides: [2, 2] } }] },
    ];
    for (const c of cases) {
      const m = model(c.nodes, c.outputs);
      const f = fused(m);
      expect(ops(f)).toContain('Mul');
      expect(f.graph.nodes.some((n) => n.attrs.has(INPUT_SCALE_ATTR))).toBe(false);
      sameResult(m, f);
    }
  });

  it('stays off unless the backend asks', () => {
    const m = model([...squeeze, { op: 'Mul', inputs: ['x', 's'], outputs: ['m'] }, { op: 'Conv', inputs: ['m', 'w1'], outputs: ['y'] }]);
    expect(ops(optimize(m, new Map([['x', X]])).model)).toContain('Mul');
  });
});
