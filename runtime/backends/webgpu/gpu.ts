// Where the WebGPU device comes from, and the one place pipelines are created. Browsers (and the
// extension's service worker) use navigator.gpu; Node injects Dawn's GPU with `provideGpu`.

import { isSoftware } from './software-adapter';
import { withPrelude } from './wgsl';

export interface GpuProvider {
  readonly gpu: GPU;
  /**
   * dawn.node crashes in createComputePipelineAsync (segfault or "futex facility returned an
   * unexpected error code", webgpu 0.3–0.6): there, pipelines are created synchronously.
   */
  readonly syncPipelines: boolean;
}

let provided: GpuProvider | undefined;

/** Node (CLI, tests, benchmarks): hand over Dawn's GPU object. */
export function provideGpu(p: GpuProvider): void {
  provided = p;
  devicePromise = undefined;
}

function provider(): GpuProvider | undefined {
  if (provided) return provided;
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ? { gpu: nav.gpu, syncPipelines: false } : undefined;
}

export class NoGpuError extends Error {
  override name = 'NoGpuError';
}

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapterInfo: string;
  readonly syncPipelines: boolean;
  readonly timestamps: boolean;
  /** the device has the 'subgroups' feature: kernels may `enable subgroups;` */
  readonly subgroups: boolean;
  /**
   * The adapter is software, the CPU emulating a GPU (SwiftShader, WARP: the browser's fallback
   * adapter): it runs every kernel, far slower than a GPU and slower than the WASM backend.
   */
  readonly software: boolean;
}

let devicePromise: Promise<GpuContext> | undefined;

/** The shared device (one per process or worker); rejects with NoGpuError when there is none. */
export function gpuContext(): Promise<GpuContext> {
  devicePromise ??= (async () => {
    const p = provider();
    if (!p) throw new NoGpuError('WebGPU is not available here (no navigator.gpu)');
    const adapter = await p.gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) throw new NoGpuError('WebGPU found no adapter');
    const timestamps = adapter.features.has('timestamp-query');
    const subgroups = adapter.features.has('subgroups');
    const features: GPUFeatureName[] = [];
    if (timestamps) features.push('timestamp-query');
    if (subgroups) features.push('subgroups');
    const limits = adapter.limits;
    const device = await adapter.requestDevice({
      requiredFeatures: features,
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupStorageSize: limits.maxComputeWorkgroupStorageSize,
        maxComputeInvocationsPerWorkgroup: limits.maxComputeInvocationsPerWorkgroup,
        maxComputeWorkgroupSizeX: limits.maxComputeWorkgroupSizeX,
      },
    });
    device.lost.then(() => {
      devicePromise = undefined;
    });
    const info = adapter.info;
    const adapterInfo = [info?.vendor, info?.architecture, info?.device, info?.description].filter(Boolean).join(' ') || 'unknown adapter';
    const software = isSoftware(adapter);
    return { device, adapterInfo, syncPipelines: p.syncPipelines, timestamps, subgroups: device.features.has('subgroups'), software };
  })();
  devicePromise.catch(() => (devicePromise = undefined));
  return devicePromise;
}

/** Pipelines by WGSL source (each promise settles once the pipeline is created). */
export type PipelineCache = Map<string, Promise<GPUComputePipeline>>;

/** The most pipelines a device keeps for reuse; beyond it the oldest go (plans keep their own). */
export const MAX_DEVICE_PIPELINES = 512;

const pipelineCaches = new WeakMap<GPUDevice, PipelineCache>();

/**
 * The device's pipelines, shared by every session on it: a second session of a model, one
 * restored from the compiled-model cache while the worker lives, or a model whose kernels another
 * model already compiled (shape-generic kernels are shared across models) creates none again.
 */
export function devicePipelines(ctx: GpuContext): PipelineCache {
  let cache = pipelineCaches.get(ctx.device);
  if (!cache) pipelineCaches.set(ctx.device, (cache = new Map()));
  return cache;
}

/** Creates a compute pipeline for one WGSL source; surfaces compile errors with the source. */
export async function createPipeline(ctx: GpuContext, source: string, label: string): Promise<GPUComputePipeline> {
  const { device } = ctx;
  const code = withPrelude(source);
  const module = device.createShaderModule({ code, label });
  const desc: GPUComputePipelineDescriptor = { layout: 'auto', compute: { module, entryPoint: 'main' }, label };
  if (ctx.syncPipelines) {
    device.pushErrorScope('validation');
    const pipeline = device.createComputePipeline(desc);
    const err = await device.popErrorScope();
    if (err) throw new Error(`WGSL kernel ${label} failed to compile: ${err.message}\n${code}`);
    return pipeline;
  }
  try {
    return await device.createComputePipelineAsync(desc);
  } catch (e) {
    throw new Error(`WGSL kernel ${label} failed to compile: ${(e as Error).message}\n${code}`);
  }
}
