// Kernel instances released by plans are kept for the next plan (runtime/backends/wasm/instances.ts):
// the next plan gets the same memory with its heap zeroed and the kernels' static data intact, and
// computes what a fresh instance does; a session released during a run keeps its plan until the
// run ends.

import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmKernels } from '../../cli/node-wasm';
import { giveBackKernels, keptBytes, takeKernels } from '../../runtime/backends/wasm/instances';
import { InferenceSession } from '../../runtime/session';
import { tensor } from '../../runtime/tensor';
import { buildModel } from '../fixtures/onnx-builder';
import { rng } from '../fixtures/rng';

const random = rng(7);
const weights = tensor('float32', [8, 4, 3, 3], random.floats(8 * 4 * 9, 0.5));
const model = buildModel({
  inputs: [{ name: 'x', type: 'float32', dims: [1, 4, 9, 9] }],
  outputs: [{ name: 'y', type: 'float32', dims: [1, 8, 9, 9] }],
  nodes: [
    { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
    { op: 'Relu', inputs: ['c'], outputs: ['y'] },
  ],
  initializers: { w: weights },
});
const feeds = { x: tensor('float32', [1, 4, 9, 9], random.floats(4 * 81)) };

beforeAll(() => useWasmKernels());

describe('kept kernel instances', () => {
  it('a kept instance comes back with its heap zeroed and its static data as it was', async () => {
    const kernels = await takeKernels();
    const memory = kernels.memory;
    const heap = kernels.heap_base();
    const statics = new Uint8Array(memory.buffer, 0, heap).slice();
    new Uint8Array(memory.buffer, heap).fill(0xab);
    giveBackKernels(kernels);
    expect(keptBytes()).toBeGreaterThanOrEqual(memory.buffer.byteLength);
    const again = await takeKernels();
    expect(again).toBe(kernels);
    expect(keptBytes()).toBe(0);
    expect(new Uint8Array(memory.buffer, heap).every((b) => b === 0)).toBe(true);
    expect(new Uint8Array(memory.buffer, 0, heap)).toEqual(statics);
    giveBackKernels(again);
  });

  it("a plan on a released session's instance computes what a plan on a fresh one does", async () => {
    const first = await InferenceSession.create(model, { backend: 'wasm' });
    const want = await first.run(feeds);
    first.release();
    await new Promise((r) => setTimeout(r, 0));
    const kept = keptBytes();
    expect(kept).toBeGreaterThan(0);
    const second = await InferenceSession.create(model, { backend: 'wasm' });
    expect(keptBytes(), 'the second session took the kept instance').toBeLessThan(kept);
    expect(Array.from((await second.run(feeds)).y.data as Float32Array)).toEqual(Array.from(want.y.data as Float32Array));
    second.release();
  });

  it('release() during a run frees the plan once the run has ended', async () => {
    const session = await InferenceSession.create(model, { backend: 'wasm' });
    const want = Array.from((await session.run(feeds)).y.data as Float32Array);
    const running = session.run(feeds);
    session.release();
    expect(session.planCount, 'still held by the run in flight').toBe(1);
    expect(Array.from((await running).y.data as Float32Array)).toEqual(want);
    expect(session.planCount).toBe(0);
    await expect(session.run(feeds)).rejects.toThrow(/released/);
  });
});
