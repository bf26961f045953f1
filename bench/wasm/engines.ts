// The three CPU engines the WebAssembly benchmark compares on the same ONNX bytes, all single-
// threaded: Kiln's wasm backend, onnxruntime-web's WASM EP (SIMD, one thread) and native
// onnxruntime-node (one intra-op thread).

import * as ortNode from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { useWasmKernels } from '../../cli/node-wasm';
import { InferenceSession } from '../../runtime/session';
import { tensor } from '../../runtime/tensor';

export interface Feed {
  readonly name: string;
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

export interface CpuEngine {
  readonly key: string;
  readonly label: string;
  /** one-time loading that is not part of a session's creation (compiling the kernel module) */
  load?(): Promise<void>;
  create(bytes: Uint8Array, feed: Feed): Promise<void>;
  /** one run; returns the first output */
  run(): Promise<Float32Array>;
  release(): Promise<void>;
}

export function kilnEngine(): CpuEngine {
  let session: InferenceSession | undefined;
  let feeds: Record<string, ReturnType<typeof tensor>> = {};
  return {
    key: 'kiln',
    label: 'Kiln wasm (SIMD, 1 thread)',
    load: useWasmKernels,
    async create(bytes, feed) {
      session = await InferenceSession.create(bytes, { backend: 'wasm' });
      feeds = { [feed.name]: tensor('float32', feed.dims, feed.data) };
    },
    async run() {
      const out = await session!.run(feeds);
      return out[session!.outputs[0].name].data as Float32Array;
    },
    async release() {
      session?.release();
      session = undefined;
    },
  };
}

type OrtSession = ortWeb.InferenceSession | ortNode.InferenceSession;

function ortEngine(key: string, label: string, open: (bytes: Uint8Array) => Promise<OrtSession>, make: (feed: Feed) => Record<string, ortWeb.Tensor | ortNode.Tensor>): CpuEngine {
  let session: OrtSession | undefined;
  let feeds: Record<string, ortWeb.Tensor | ortNode.Tensor> = {};
  return {
    key,
    label,
    async create(bytes, feed) {
      session = await open(bytes);
      feeds = make(feed);
    },
    async run() {
      const out = await (session as ortNode.InferenceSession).run(feeds as Record<string, ortNode.Tensor>);
      return out[session!.outputNames[0]].data as Float32Array;
    },
    async release() {
      await session?.release();
      session = undefined;
    },
  };
}

export function ortWebEngine(): CpuEngine {
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.logLevel = 'error';
  return ortEngine(
    'ort-web', 'onnxruntime-web WASM (SIMD, 1 thread)',
    (bytes) => ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' }),
    (f) => ({ [f.name]: new ortWeb.Tensor('float32', f.data, f.dims) }),
  );
}

export function ortNodeEngine(): CpuEngine {
  return ortEngine(
    'ort-node', 'onnxruntime-node native (1 thread)',
    (bytes) => ortNode.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all', logSeverityLevel: 3 }),
    (f) => ({ [f.name]: new ortNode.Tensor('float32', f.data, f.dims) }),
  );
}
