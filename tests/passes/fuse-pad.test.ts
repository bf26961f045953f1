// fusePads: a zero Pad of the spatial axes read only by Convs becomes part of their pads (the
// TensorFlow 'pad, then valid stride-2 conv' pattern of M-LSD), with the unfused graph's result;
// Pads that are not zero, touch batch or channels, crop, or have other readers stay.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../runtime/ir/graph';
import { importOnnx } from '../../runtime/onnx/import';
import { optimize } from '../../runtime/passes';
import { tensor } from '../../runtime/tensor';
import type { NodeSpec } from '../fixtures/onnx-builder';
import { load, ops, rand, relDiff, runReference } from './helpers';

const X = [1, 3, 7, 7];

const i64 = (...v: number[]) => tensor('int64', [v.length], BigInt64Array.from(v.map(BigInt)));

function model(nodes: NodeSpec[], opts: { outputs?: string[]; opset?: number; pads?: number[]; value?: number } = {}): Model {
  return load({
    opset: opts.opset ?? 17,
    inputs: [{ name: 'x', type: 'float32', dims: X }],
    outputs: (opts.outputs ?? ['y']).map((name) => ({ name, type: 'float32', dims: ['a', 'b', 'c', 'd'] })),
    initializers: {
      w: rand([4, 3, 3, 3], 3), b: rand([4], 4), w2: rand([2, 3, 1, 1], 5), w4: rand([2, 4, 3, 3], 6),
      pads: i64(...(opts.pads ?? [0, 0, 0, 0, 0, 0, 1, 1])), zero: tensor('float32', [], Float32Array.of(opts.value ?? 0)),
    },
    nodes,
  });
}

const pad = (extra: NodeSpec['attrs'] = {}, inputs = ['x', 'pads']): NodeSpec => ({ op: 'Pad', inputs, outputs: ['p'], attrs: extra });
const conv = (out: string, attrs: NodeSpec['attrs'] = { strides: [2, 2] }, w = 'w'): NodeSpec => ({ op: 'Conv', inputs: ['p', w, ...(w === 'w' ? ['b'] : [])], outputs: [out], attrs });

const optimized = (m: Model) => optimize(m, new Map([['x', X]])).model;

function sameResult(m: Model, f: Model): void {
  const feeds = { x: rand(X, 9) };
  const want = runReference(m, feeds);
  const got = runReference(f, feeds);
  for (const [k, v] of want) {
    expect(got.get(k)!.dims, k).toEqual(v.dims);
    expect(relDiff(got.get(k)!, v), k).toBeLessThan(1e-6);
  }
}

const padsOf = (m: Model, i = 0) => m.graph.nodes[i].attrs.get('pads');

describe('fusePads', () => {
  it("folds a zero Pad of H and W into the stride-2 Conv reading it (TensorFlow's explicit padding)", () => {
    const m = model([pad(), conv('y')]);
    const f = optimized(m);
    expect(ops(f)).toEqual(['Conv']);
    expect(f.graph.nodes[0].inputs[0]).toBe('x');
    expect(padsOf(f)).toEqual({ kind: 'ints', value: [0, 0, 1, 1] });
    sameResult(m, f);
  });

  it("adds to the Conv's own pads, takes a zero constant_value, opset 2's pads attribute and auto_pad VALID, and serves every Conv reading it", () => {
    const own = model([pad({}, ['x', 'pads', 'zero']), conv('y', { pads: [1, 1, 1, 1] })], { pads: [0, 0, 1, 2, 0, 0, 0, 1] });
    const f = optimized(own);
    expect(ops(f)).toEqual(['Conv']);
    expect(padsOf(f)).toEqual({ kind: 'ints', value: [2, 3, 1, 2] });
    sameResult(own, f);

    const old = model([pad({ pads: [0, 0, 2, 0, 0, 0, 0, 2] }, ['x']), conv('y', { auto_pad: 'VALID' })], { opset: 10 });
    expect(ops(optimized(old))).toEqual(['Conv']);
    expect(padsOf(optimized(old))).toEqual({ kind: 'ints', value: [2, 0, 0, 2] });
    sameResult(old, optimized(old));

    const two = model([pad(), conv('y'), conv('z', {}, 'w2')], { outputs: ['y', 'z'] });
    expect(ops(optimized(two))).toEqual(['Conv', 'Conv']);
    sameResult(two, optimized(two));
  });

  it('leaves Pads it cannot fold: a non-zero fill, reflect mode, channel padding, a crop, SAME auto_pad, other readers', () => {
    const keeps = (m: Model) => {
      expect(ops(optimized(m))).toContain('Pad');
      sameResult(m, optimized(m));
    };
    keeps(model([pad({}, ['x', 'pads', 'zero']), conv('y')], { value: 1 }));
    keeps(model([pad({ mode: 'reflect' }), conv('y')]));
    keeps(model([pad(), conv('y', { strides: [2, 2] }, 'w4')], { pads: [0, 1, 0, 0, 0, 0, 0, 0] }));
    keeps(model([pad(), conv('y')], { pads: [0, 0, 0, 0, 0, 0, -1, 1] }));
    keeps(model([pad(), conv('y', { auto_pad: 'SAME_UPPER' })]));
    keeps(model([pad(), conv('y'), { op: 'Relu', inputs: ['p'], outputs: ['z'] }], { outputs: ['y', 'z'] }));
    keeps(model([pad(), conv('y')], { outputs: ['y', 'p'] }));
  });

  it("folds M-LSD's three Pads into the depthwise Convs after them", () => {
    const m = importOnnx(new Uint8Array(readFileSync(join(__dirname, '../../node_modules/jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx'))));
    const input = m.graph.inputs[0].name;
    const after = optimize(m, new Map([[input, [1, 320, 320, 4]]]), { fuse: false }).model;
    expect(m.graph.nodes.filter((n) => n.op === 'Pad')).toHaveLength(3);
    expect(after.graph.nodes.filter((n) => n.op === 'Pad')).toHaveLength(0);
    const endPadded = (g: Model) => g.graph.nodes.filter((n) => n.op === 'Conv' && JSON.stringify(n.attrs.get('pads')) === JSON.stringify({ kind: 'ints', value: [0, 0, 1, 1] })).length;
    expect(endPadded(after) - endPadded(m)).toBe(3);
  });
});
