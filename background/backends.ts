// Backend names a page may ask for: the engine's backends plus 'auto' (the best one available
// here: WebGPU when the worker gets a GPU adapter, else the WebAssembly SIMD kernels, else WebGPU
// on a software adapter, else the reference executor).

import { BACKENDS, isBackendName, type BackendName } from '../runtime/backends';
import { kernelModule } from '../runtime/backends/wasm/module';
import { gpuContext } from '../runtime/backends/webgpu/gpu';
import { KilnError } from './errors';
import { simdSupported } from '../runtime/backends/wasm/module';

/** Why WebGPU cannot be used in this worker, or null when it can. */
async function webgpuProblem(): Promise<string | null> {
  return (await webgpuStatus()).problem;
}

async function webgpuStatus(): Promise<{ problem: string | null; software: boolean }> {
  try {
    return { problem: null, software: (await gpuContext()).software };
  } catch (e) {
    return { problem: (e as Error).message, software: false };
  }
}

/** Why the WebAssembly kernels cannot be used in this worker, or null when they can. */
async function wasmProblem(): Promise<string | null> {
  if (!simdSupported()) return 'this browser has no WebAssembly SIMD';
  try {
    await kernelModule();
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}

export async function resolveBackend(requested: string): Promise<BackendName> {
  if (requested === 'auto') {
    const gpu = await webgpuStatus();
    if (gpu.problem === null && !gpu.software) return 'webgpu';
    // A software adapter compiles and runs every kernel on the CPU: in the extension MobileNetV2
    // took 4–5 s to create and 3–5 s a run on SwiftShader's, under a second and 30–50 ms on the
    // WASM kernels (docs/BENCHMARKS.md).
    if ((await wasmProblem()) === null) return 'wasm';
    return gpu.problem === null ? 'webgpu' : 'reference';
  }
  if (!isBackendName(requested)) {
    throw new KilnError('NotSupportedError', `unknown backend '${requested}': the supported backends are 'auto', ${BACKENDS.map((b) => `'${b}'`).join(', ')}`);
  }
  if (requested === 'webgpu') {
    const problem = await webgpuProblem();
    if (problem) throw new KilnError('NotSupportedError', `the webgpu backend is not available here: ${problem}; use 'auto' or 'reference'`);
  }
  if (requested === 'wasm') {
    const problem = await wasmProblem();
    if (problem) throw new KilnError('NotSupportedError', `the wasm backend is not available here: ${problem}; use 'auto' or 'reference'`);
  }
  return requested;
}
