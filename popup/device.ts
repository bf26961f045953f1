// What the popup says about the device: the WebGPU adapter (or why there is none) and whether
// this browser's WebAssembly has SIMD (Kiln's wasm backend needs it).

import { simdSupported } from '../runtime/backends/wasm/module';
import { isSoftware } from '../runtime/backends/webgpu/software-adapter';
import { shortList } from './format';

export interface GpuReport {
  readonly ok: boolean;
  /** one line: vendor, architecture, description; or why there is no adapter */
  readonly summary: string;
  readonly limits: readonly [name: string, value: number][];
  readonly features: readonly string[];
}

const LIMITS = ['maxStorageBufferBindingSize', 'maxBufferSize', 'maxComputeWorkgroupStorageSize', 'maxComputeInvocationsPerWorkgroup'] as const;

export async function probeGpu(): Promise<GpuReport> {
  const none = (why: string): GpuReport => ({ ok: false, summary: why, limits: [], features: [] });
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return none('not available: this browser exposes no navigator.gpu (WebGPU is off or unsupported)');
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (e) {
    return none(`not available: requestAdapter failed (${(e as Error).message})`);
  }
  if (!adapter) return none('not available: the browser offered no adapter (GPU blocklisted or disabled)');
  const info = (adapter as GPUAdapter & { info?: GPUAdapterInfo }).info;
  const parts = [info?.vendor, info?.architecture, info?.description].filter((s): s is string => !!s);
  const limits = LIMITS.filter((n) => typeof adapter.limits[n] === 'number').map((n) => [n, adapter.limits[n]] as [string, number]);
  const named = parts.length > 0 ? [...new Set(parts)].join(' · ') : 'an adapter (the browser gives no details)';
  // a software adapter is one 'auto' passes over for the WASM kernels where they can run
  const software = !isSoftware(adapter) ? '' : ` (software, the CPU emulating a GPU${simdSupported() ? ': models run on WebAssembly instead' : ''})`;
  return { ok: true, summary: named + software, limits, features: [...adapter.features].sort() };
}

export function featuresLine(features: readonly string[]): string {
  return features.length === 0 ? 'no optional features' : shortList(features, 4);
}
