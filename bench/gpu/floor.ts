// `node .bench/floor.mjs [--json FILE]` on the lent GPU (a stage of bench/gpu/run.sh): the floor
// under an end-to-end WebGPU run through dawn.node, without any model. On the device Kiln uses:
// write a 602,112-byte input, encode N trivial dispatches in one pass (each reads the input and
// writes a small output, so Dawn puts a barrier between them, as between a model's kernels), copy
// 4,000 bytes to a mappable buffer, submit once, map and read it. N = 0, 66 (MobileNetV2's
// dispatches) and 141 (EfficientNet-B0's); also without barriers (kernels that write nothing). The
// encoding's own CPU time is reported beside each: what a run pays before the GPU can start.

import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { useDawn } from '../../cli/node-gpu';
import { gpuContext } from '../../runtime/backends/webgpu/gpu';
import { median } from '../median';

const { values } = parseArgs({ options: { json: { type: 'string' }, runs: { type: 'string' } } });
const runs = Number(values.runs ?? 200);

await useDawn();
const { device } = await gpuContext();
const input = device.createBuffer({ size: 602_112, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST });
const output = device.createBuffer({ size: 4_000, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
const staging = device.createBuffer({ size: 4_000, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const data = new Float32Array(602_112 / 4).map((_, i) => i);

function kernel(wgsl: string, buffers: GPUBuffer[]) {
  const module = device.createShaderModule({ code: wgsl });
  const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
  const bindGroup = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  return { pipeline, bindGroup };
}
const writes = kernel(`@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read_write> b: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (g.x < 1000u) { b[g.x] = a[g.x] + 1.0; } }`, [input, output]);
const readsOnly = kernel(`@group(0) @binding(0) var<storage, read> a: array<f32>;
var<workgroup> s: f32;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { if (a[g.x] < -1.0) { s = a[g.x]; } }`, [input]);

async function run(dispatches: number, k: typeof writes): Promise<{ total: number; encode: number }> {
  const t = performance.now();
  device.queue.writeBuffer(input, 0, data);
  const encoder = device.createCommandEncoder();
  if (dispatches) {
    const pass = encoder.beginComputePass();
    for (let i = 0; i < dispatches; i++) {
      pass.setPipeline(k.pipeline);
      pass.setBindGroup(0, k.bindGroup);
      pass.dispatchWorkgroups(16);
    }
    pass.end();
  }
  encoder.copyBufferToBuffer(output, 0, staging, 0, 4_000);
  const commands = encoder.finish();
  const encode = performance.now() - t;
  device.queue.submit([commands]);
  await staging.mapAsync(GPUMapMode.READ);
  new Float32Array(staging.getMappedRange()).slice();
  staging.unmap();
  return { total: performance.now() - t, encode };
}

const rows: { dispatches: number; barriers: boolean; p50_ms: number; min_ms: number; encode_p50_ms: number }[] = [];
for (const [dispatches, barriers] of [[0, true], [66, true], [141, true], [66, false], [141, false]] as const) {
  const k = barriers ? writes : readsOnly;
  for (let i = 0; i < 20; i++) await run(dispatches, k);
  const got: { total: number; encode: number }[] = [];
  for (let i = 0; i < runs; i++) got.push(await run(dispatches, k));
  const row = { dispatches, barriers, p50_ms: median(got.map((g) => g.total)), min_ms: Math.min(...got.map((g) => g.total)), encode_p50_ms: median(got.map((g) => g.encode)) };
  rows.push(row);
  console.log(`${String(dispatches).padStart(3)} dispatches${barriers ? '' : ', no barriers'}: p50 ${row.p50_ms.toFixed(3)} ms, min ${row.min_ms.toFixed(3)} ms; encoding ${row.encode_p50_ms.toFixed(3)} ms`);
}
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), runs, rows }, null, 1));
process.exit(0);
