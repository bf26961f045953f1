// fuseActivations and applyActivation: each activation folds into its producer as an epilogue,
// and evaluating the epilogue after the producer's kernel gives the unfused graph's result.

import { describe, expect, it } from 'vitest';
import type { Model } from '../../runtime/ir/graph';
import { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR, applyActivation, fuseActivations, specialiseShapes } from '../../runtime/passes';
import type { NodeSpec } from '../fixtures/onnx-builder';
import { f32, load, ops, rand, relDiff, runFused, runReference } from './helpers';

const fuse = (m: Model) => fuseActivations(m, specialiseShapes(m, new Map()).types);

/** y = act(producer(x, w)) over [2, 4] (MatMul: [2, 4] × [4, 4]). */
function chain(producer: string, act: NodeSpec, opset = 17, extraInits: Record<string, ReturnType<typeof f32>> = {}): Model {
  return load({
    opset,
    inputs: [{ name: 'x', type: 'float32', dims: [2, 4] }],
    outputs: [{ name: 'y', type: 'float32', dims: [2, 4] }],
    initializers: { w: rand(producer === 'MatMul' || producer === 'Gemm' ? [4, 4] : [4], 5), ...extraInits },
    nodes: [{ op: producer, inputs: ['x', 'w'], outputs: ['h'] }, { ...act, inputs: ['h', ...act.inputs], outputs: ['y'] }],
  });
}

const CASES: { name: string; act: NodeSpec; opset?: number; params: number[]; inits?: Record<string, ReturnType<typeof f32>> }[] = [
  { name: 'Relu', act: { op: 'Relu', inputs: [], outputs: [] }, params: [] },
  { name: 'LeakyRelu', act: { op: 'LeakyRelu', inputs: [], outputs: [], attrs: { alpha: 0.25 } }, params: [0.25] },
  { name: 'Elu', act: { op: 'Elu', inputs: [], outputs: [], attrs: { alpha: 0.5 } }, params: [0.5] },
  { name: 'HardSigmoid', act: { op: 'HardSigmoid', inputs: [], outputs: [], attrs: { alpha: 0.25, beta: 0.375 } }, params: [0.25, 0.375] },
  { name: 'HardSwish', act: { op: 'HardSwish', inputs: [], outputs: [] }, params: [] },
  { name: 'Sigmoid', act: { op: 'Sigmoid', inputs: [], outputs: [] }, params: [] },
  { name: 'Tanh', act: { op: 'Tanh', inputs: [], outputs: [] }, params: [] },
  { name: 'Softplus', act: { op: 'Softplus', inputs: [], outputs: [] }, params: [] },
  { name: 'Gelu (erf)', act: { op: 'Gelu', inputs: [], outputs: [] }, opset: 20, params: [0] },
  { name: 'Gelu (tanh)', act: { op: 'Gelu', inputs: [], outputs: [], attrs: { approximate: 'tanh' } }, opset: 20, params: [1] },
  { name: 'Clip (opset 9 attributes)', act: { op: 'Clip', inputs: [], outputs: [], attrs: { min: -0.5, max: 0.75 } }, opset: 9, params: [-0.5, 0.75] },
  { name: 'Clip (opset 9, no max)', act: { op: 'Clip', inputs: [], outputs: [], attrs: { min: 0.25 } }, opset: 9, params: [0.25, Infinity] },
  { name: 'Clip (opset 13 inputs)', act: { op: 'Clip', inputs: ['lo', 'hi'], outputs: [] }, params: [0, 6], inits: { lo: f32([], [0]), hi: f32([], [6]) } },
  { name: 'Clip (opset 13, max only)', act: { op: 'Clip', inputs: ['', 'hi'], outputs: [] }, params: [-Infinity, 0.5], inits: { hi: f32([], [0.5]) } },
];

describe('fuseActivations', () => {
  for (const c of CASES) {
    for (const producer of ['Add', 'Sub', 'Mul', 'Div', 'MatMul', 'Gemm']) {
      it(`fuses ${c.name} into ${producer}`, () => {
        const model = chain(producer, c.act, c.opset, c.inits);
        const fused = fuse(model);
        expect(ops(fused)).toEqual([producer]);
        const p = fused.graph.nodes[0];
        expect(p.outputs).toEqual(['y']);
        expect(p.attrs.get(ACTIVATION_ATTR)).toEqual({ kind: 'string', value: c.act.op });
        expect(p.attrs.get(ACTIVATION_PARAMS_ATTR)).toEqual({ kind: 'floats', value: c.params });
        const x = rand([2, 4], 3);
        expect(relDiff(runReference(model, { x }).get('y')!, runFused(fused, { x }).get('y')!)).toBeLessThan(1e-6);
        expect(model.graph.nodes.length).toBe(2); // pure
      });
    }
  }

  it('fuses into Conv', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [1, 3, 6, 6] }],
      outputs: [{ name: 'y', type: 'float32', dims: [1, 4, 6, 6] }],
      initializers: { w: rand([4, 3, 3, 3], 2), b: rand([4], 3) },
      nodes: [
        { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['h'], attrs: { pads: [1, 1, 1, 1] } },
        { op: 'Relu', inputs: ['h'], outputs: ['y'] },
      ],
    });
    const fused = fuse(model);
    expect(ops(fused)).toEqual(['Conv']);
    const x = rand([1, 3, 6, 6], 4);
    expect(relDiff(runReference(model, { x }).get('y')!, runFused(fused, { x }).get('y')!)).toBeLessThan(1e-6);
  });

  for (const order of [['h', 's'], ['s', 'h']]) {
    it(`fuses SiLU, Mul(${order.join(', ')}) over Sigmoid(h), into Conv as Swish`, () => {
      const model = load({
        inputs: [{ name: 'x', type: 'float32', dims: [1, 3, 6, 6] }],
        outputs: [{ name: 'y', type: 'float32', dims: [1, 4, 6, 6] }],
        initializers: { w: rand([4, 3, 3, 3], 2), b: rand([4], 3) },
        nodes: [
          { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['h'], attrs: { pads: [1, 1, 1, 1] } },
          { op: 'Sigmoid', inputs: ['h'], outputs: ['s'] },
          { op: 'Mul', inputs: order, outputs: ['y'] },
        ],
      });
      const fused = fuse(model);
      expect(ops(fused)).toEqual(['Conv']);
      expect(fused.graph.nodes[0].outputs).toEqual(['y']);
      expect(fused.graph.nodes[0].attrs.get(ACTIVATION_ATTR)).toEqual({ kind: 'string', value: 'Swish' });
      const x = rand([1, 3, 6, 6], 4);
      expect(relDiff(runReference(model, { x }).get('y')!, runFused(fused, { x }).get('y')!)).toBeLessThan(1e-6);
    });
  }

  it('leaves SiLU alone when something else reads the producer\'s output', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [2, 4] }],
      outputs: [{ name: 'y', type: 'float32', dims: [2, 4] }, { name: 'z', type: 'float32', dims: [2, 4] }],
      initializers: { w: rand([4], 5) },
      nodes: [
        { op: 'Add', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Sigmoid', inputs: ['h'], outputs: ['s'] },
        { op: 'Mul', inputs: ['h', 's'], outputs: ['y'] },
        { op: 'Neg', inputs: ['h'], outputs: ['z'] },
      ],
    });
    expect(ops(fuse(model))).toEqual(['Add', 'Sigmoid', 'Mul', 'Neg']);
  });

  it('does not fuse a Clip whose bounds come at run time', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [2, 4] }, { name: 'lo', type: 'float32', dims: [] }],
      outputs: [{ name: 'y', type: 'float32', dims: [2, 4] }],
      initializers: { w: rand([4], 5) },
      nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['h'] }, { op: 'Clip', inputs: ['h', 'lo'], outputs: ['y'] }],
    });
    expect(ops(fuse(model))).toEqual(['Add', 'Clip']);
  });

  it('does not fuse when the producer output has another reader or is a graph output', () => {
    const base = { inputs: [{ name: 'x', type: 'float32' as const, dims: [4] }], initializers: { w: rand([4], 5) } };
    const twoReaders = load({
      ...base,
      outputs: [{ name: 'y', type: 'float32', dims: [4] }, { name: 'z', type: 'float32', dims: [4] }],
      nodes: [
        { op: 'Add', inputs: ['x', 'w'], outputs: ['h'] },
        { op: 'Relu', inputs: ['h'], outputs: ['y'] },
        { op: 'Neg', inputs: ['h'], outputs: ['z'] },
      ],
    });
    expect(ops(fuse(twoReaders))).toEqual(['Add', 'Relu', 'Neg']);
    const exposed = load({
      ...base,
      outputs: [{ name: 'y', type: 'float32', dims: [4] }, { name: 'h', type: 'float32', dims: [4] }],
      nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['h'] }, { op: 'Relu', inputs: ['h'], outputs: ['y'] }],
    });
    expect(ops(fuse(exposed))).toEqual(['Add', 'Relu']);
  });

  it('fuses one activation per producer and skips producers that are not fusable', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [1, 1, 4, 4] }],
      outputs: [{ name: 'y', type: 'float32', dims: [1, 1, 2, 2] }],
      initializers: { w: rand([4], 5) },
      nodes: [
        { op: 'Add', inputs: ['x', 'w'], outputs: ['a'] },
        { op: 'Relu', inputs: ['a'], outputs: ['b'] },
        { op: 'Sigmoid', inputs: ['b'], outputs: ['c'] },
        { op: 'MaxPool', inputs: ['c'], outputs: ['d'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { op: 'Tanh', inputs: ['d'], outputs: ['y'] },
      ],
    });
    const fused = fuse(model);
    expect(ops(fused)).toEqual(['Add', 'Sigmoid', 'MaxPool', 'Tanh']);
    const x = rand([1, 1, 4, 4], 9);
    expect(relDiff(runReference(model, { x }).get('y')!, runFused(fused, { x }).get('y')!)).toBeLessThan(1e-6);
  });
});

describe('applyActivation', () => {
  it('computes each epilogue', () => {
    expect(applyActivation('Relu', [], -2)).toBe(0);
    expect(applyActivation('LeakyRelu', [0.1], -2)).toBeCloseTo(-0.2);
    expect(applyActivation('Clip', [0, 6], 7)).toBe(6);
    expect(applyActivation('Clip', [-Infinity, Infinity], -7)).toBe(-7);
    expect(applyActivation('HardSigmoid', [0.2, 0.5], 1)).toBeCloseTo(0.7);
    expect(applyActivation('HardSwish', [], 1)).toBeCloseTo(1 * (1 / 6 + 0.5));
    expect(applyActivation('Sigmoid', [], 0)).toBe(0.5);
    expect(applyActivation('Sigmoid', [], -1000)).toBe(0);
    expect(applyActivation('Tanh', [], 0.5)).toBeCloseTo(Math.tanh(0.5));
    expect(applyActivation('Gelu', [0], 1)).toBeCloseTo(0.8413447);
    expect(applyActivation('Gelu', [1], 1)).toBeCloseTo(0.8411920);
    expect(applyActivation('Elu', [1], -1)).toBeCloseTo(Math.exp(-1) - 1);
    expect(applyActivation('Softplus', [], 0)).toBeCloseTo(Math.LN2);
    expect(applyActivation('Swish', [1], 2)).toBeCloseTo(2 / (1 + Math.exp(-2)));
    expect(applyActivation('Swish', [1], -1000)).toBe(-0);
    expect(() => applyActivation('Mish', [], 0)).toThrow(/unknown fused activation/);
  });
});
