// Kernel instances, each with a linear memory of its own, and the ones released plans gave back,
// kept a short while for the next plan. A fresh memory costs its first touches (the kernel zeroes
// each page as a plan writes it: MobileNetV2's 14 MB of weights took 53 ms to place in a fresh
// memory here, against a few in a used one), and a wasm memory cannot shrink or be freed before it
// is collected anyway. A reused instance has its heap zeroed, so a plan finds it as a new one did;
// below the heap are the kernels' own static tables and scratch, which they keep as they need.

import type { KernelExports } from './exports';
import { kernelModule, type WasmSource } from './module';

/** At most this much released memory is kept, and none longer than KEEP_MS. */
export const KEEP_BYTES = 128 * 1024 * 1024;
const KEEP_MS = 30_000;

interface Kept {
  readonly kernels: KernelExports;
  readonly module: WebAssembly.Module;
  readonly timer: ReturnType<typeof setTimeout>;
}

const kept: Kept[] = [];
const moduleOf = new WeakMap<KernelExports, WebAssembly.Module>();

/** An instance of the kernels with a memory no plan holds: a released one if kept, else a new one. */
export async function takeKernels(source?: WasmSource): Promise<KernelExports> {
  const module = await kernelModule(source);
  let best = -1;
  kept.forEach((k, i) => {
    if (k.module === module && (best < 0 || k.kernels.memory.buffer.byteLength > kept[best].kernels.memory.buffer.byteLength)) best = i;
  });
  if (best >= 0) {
    const [{ kernels, timer }] = kept.splice(best, 1);
    clearTimeout(timer);
    const heap = kernels.heap_base();
    new Uint8Array(kernels.memory.buffer, heap).fill(0);
    return kernels;
  }
  const kernels = (await WebAssembly.instantiate(module, {})).exports as unknown as KernelExports;
  moduleOf.set(kernels, module);
  return kernels;
}

/** Gives an instance back for a later plan (the caller must not use it again). */
export function giveBackKernels(kernels: KernelExports): void {
  const module = moduleOf.get(kernels);
  const bytes = kernels.memory.buffer.byteLength;
  if (!module || bytes > KEEP_BYTES || kept.some((k) => k.kernels === kernels)) return;
  const timer = setTimeout(() => drop(kernels), KEEP_MS);
  // a kept instance must not keep a Node process alive
  (timer as { unref?: () => void }).unref?.();
  kept.push({ kernels, module, timer });
  // oldest out first, until what is kept fits
  while (keptBytes() > KEEP_BYTES) drop(kept[0].kernels);
}

/** Bytes of linear memory held by kept instances. */
export function keptBytes(): number {
  return kept.reduce((n, k) => n + k.kernels.memory.buffer.byteLength, 0);
}

function drop(kernels: KernelExports): void {
  const i = kept.findIndex((k) => k.kernels === kernels);
  if (i < 0) return;
  clearTimeout(kept[i].timer);
  kept.splice(i, 1);
}
