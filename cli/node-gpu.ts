// WebGPU in Node: loads Dawn (the `webgpu` npm package, or the dawn.node that $DAWN_NODE names on
// the lent GPU machine) and hands its GPU to the runtime. Without a GPU driver configured, Vulkan
// is pointed at SwiftShader, which Debian's Chromium ships: correct, if slow.

import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { provideGpu } from '../runtime/backends/webgpu/gpu';
import type { BackendName } from '../runtime/backends';
import { useWasmKernels } from './node-wasm';

const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

interface Dawn {
  create(flags: string[]): GPU;
  globals: Record<string, unknown>;
}

let loaded = false;

export async function useDawn(): Promise<void> {
  if (loaded) return;
  // SwiftShader's Vulkan prints "XDG_RUNTIME_DIR is invalid or not set" on every exit without one.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  if (!process.env.VK_ICD_FILENAMES && !process.env.VK_DRIVER_FILES && existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  const dawn: Dawn = process.env.DAWN_NODE
    ? (createRequire(import.meta.url)(process.env.DAWN_NODE) as Dawn)
    : ((await import('webgpu')) as unknown as Dawn);
  Object.assign(globalThis, dawn.globals);
  // Dawn rounds timestamps down to 65.536 µs unless told not to, which zeroes short passes.
  provideGpu({ gpu: dawn.create(['disable-dawn-features=timestamp_quantization']), syncPipelines: true });
  loaded = true;
}

/** Makes `backend` usable in this process (loads Dawn for webgpu, the kernel module for wasm). */
export async function prepareBackend(backend: BackendName): Promise<void> {
  if (backend === 'webgpu') await useDawn();
  if (backend === 'wasm') await useWasmKernels();
}
