// onnxruntime-web's WebGPU EP under Dawn in Node: gives it navigator.gpu, loads its bundled ESM
// build (ort.webgpu.bundle.min.mjs) from a folder that also holds its wasm, one thread.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Ort from 'onnxruntime-web';
import type { Engine, Feed } from './engine';

export type OrtModule = typeof Ort;

/**
 * dawn.node's GPUQueue.writeBuffer rejects views of SharedArrayBuffer memory ("Invalid argument"),
 * and onnxruntime-web's threaded wasm heap is a SharedArrayBuffer: copy such data into a plain
 * buffer first. Offsets and sizes keep their meaning because the copy has the view's element type.
 */
export function patchWriteBufferForSharedMemory(): void {
  const write = GPUQueue.prototype.writeBuffer;
  const patched = function (this: GPUQueue, buffer: GPUBuffer, offset: number, data: BufferSource | SharedArrayBuffer, dataOffset?: number, size?: number): undefined {
    let plain: BufferSource = data as BufferSource;
    if (data instanceof SharedArrayBuffer) plain = new Uint8Array(data).slice().buffer;
    else if (ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer) plain = copyView(data);
    return write.call(this, buffer, offset, plain, dataOffset, size);
  };
  GPUQueue.prototype.writeBuffer = patched as typeof GPUQueue.prototype.writeBuffer;
}

function copyView(v: ArrayBufferView): BufferSource {
  if (v instanceof DataView) return new Uint8Array(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
  const Ctor = v.constructor as new (src: ArrayBufferView) => ArrayBufferView<ArrayBuffer>;
  return new Ctor(v);
}

/** Installs `gpu` as navigator.gpu and imports onnxruntime-web from `dir`. */
export async function loadOrtWeb(dir: string, gpu: GPU): Promise<OrtModule> {
  const nav = (globalThis as { navigator?: object }).navigator;
  Object.defineProperty(globalThis, 'navigator', { value: { ...nav, gpu }, configurable: true, writable: true });
  patchWriteBufferForSharedMemory();
  const ort = (await import(pathToFileURL(join(dir, 'ort.webgpu.bundle.min.mjs')).href)) as OrtModule;
  ort.env.wasm.numThreads = 1;
  // The wasm's bytes, not its path: Node's fetch cannot read files, and with a folder in
  // wasmPaths the bundle would also import its glue .mjs from there (it carries that inside).
  ort.env.wasm.wasmBinary = readFileSync(join(dir, 'ort-wasm-simd-threaded.asyncify.wasm'));
  ort.env.logLevel = 'error';
  return ort;
}

/** onnxruntime-web's WebGPU EP as a benchmark engine; `dir` holds its bundle and wasm. */
export function ortEngine(dir: string, gpu: GPU): Engine {
  let ort: OrtModule | undefined;
  let session: Ort.InferenceSession | undefined;
  let feeds: Record<string, Ort.Tensor> = {};
  return {
    key: 'ort',
    label: 'onnxruntime-web WebGPU',
    async load() {
      ort ??= await loadOrtWeb(dir, gpu);
    },
    async create(bytes, feed: Feed) {
      ort ??= await loadOrtWeb(dir, gpu);
      session = await ort.InferenceSession.create(bytes, { executionProviders: ['webgpu'], graphOptimizationLevel: 'all' });
      feeds = { [feed.name]: new ort.Tensor('float32', feed.data, feed.dims) };
    },
    async run() {
      const out = await session!.run(feeds);
      const t = out[session!.outputNames[0]];
      return t.data as Float32Array;
    },
    async details() {
      return { version: ort?.env.versions.web ?? null };
    },
    async release() {
      await session?.release();
      session = undefined;
    },
  };
}
