// `node .bench/pipelines.mjs MODEL.onnx... [--json FILE]` on the lent GPU (a stage of
// bench/gpu/run.sh): what creating each of a model's pipelines costs, one by one as dawn.node must
// (gpu.ts), each distinct WGSL source of its plan timed from createShaderModule to the pipeline
// being checked, with the kernel's label, size and how many dispatches use it. A trivial kernel is
// timed first as the per-pipeline floor. run.sh runs it twice: with the driver's shader cache off
// (__GL_SHADER_DISK_CACHE=0, every compile cold, as on a fresh machine) and with it on after a
// first pass filled it. Cold session creation is this sum plus the weights' upload.

import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { useDawn } from '../../cli/node-gpu';
import { gpuContext } from '../../runtime/backends/webgpu/gpu';
import { lower } from '../../runtime/backends/webgpu/lower';
import { withPrelude } from '../../runtime/backends/webgpu/wgsl';
import { importOnnx } from '../../runtime/onnx/import';
import { optimize } from '../../runtime/passes';

const { values, positionals } = parseArgs({ options: { json: { type: 'string' } }, allowPositionals: true });

await useDawn();
const ctx = await gpuContext();
const { device } = ctx;

async function timePipeline(code: string, label: string): Promise<number> {
  const t = performance.now();
  device.pushErrorScope('validation');
  const module = device.createShaderModule({ code: withPrelude(code), label });
  device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' }, label });
  const err = await device.popErrorScope();
  if (err) throw new Error(`${label}: ${err.message}`);
  return performance.now() - t;
}

// The floor: a kernel with one binding and one statement (a fresh source each time, so no cache
// of Dawn's or the driver's can answer it).
const floor: number[] = [];
for (let i = 0; i < 5; i++) {
  floor.push(await timePipeline(`@group(0) @binding(0) var<storage, read_write> k_y: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3u) { k_y[g.x] = ${i}.0f; }`, `floor${i}`));
}
floor.sort((a, b) => a - b);
console.log(`trivial kernel: median ${floor[2].toFixed(1)} ms (${floor.map((f) => f.toFixed(1)).join(', ')})`);

const models = [];
for (const file of positionals) {
  const imported = importOnnx(readFileSync(file));
  const input = imported.graph.inputs.filter((i) => !imported.graph.initializers.has(i.name))[0];
  const { model, types } = optimize(imported, new Map([[input.name, [1, 3, 224, 224]]]), { fuseResidual: true, fuseChannelScale: true });
  const plan = lower(model, types, { genericShapes: true, subgroups: ctx.subgroups });
  const kernels = new Map<string, { label: string; dispatches: number }>();
  for (const step of plan.steps) {
    if (step.kind !== 'gpu') continue;
    for (const d of step.dispatches) {
      const k = kernels.get(d.wgsl);
      if (k) k.dispatches++;
      else kernels.set(d.wgsl, { label: `${step.node.op}:${d.label}`, dispatches: 1 });
    }
  }
  const rows = [];
  for (const [wgsl, k] of kernels) rows.push({ ...k, chars: wgsl.length, ms: await timePipeline(wgsl, k.label) });
  const total = rows.reduce((s, r) => s + r.ms, 0);
  console.log(`\n${basename(file)}: ${rows.length} pipelines, ${total.toFixed(0)} ms`);
  for (const r of [...rows].sort((a, b) => b.ms - a.ms)) {
    console.log(`  ${r.label.padEnd(36)} ${String(r.dispatches).padStart(3)} dispatches ${String(r.chars).padStart(6)} chars ${r.ms.toFixed(1).padStart(7)} ms`);
  }
  models.push({ model: basename(file), pipelines: rows.length, total_ms: total, rows });
}
const cache = process.env.__GL_SHADER_DISK_CACHE === '0' ? 'off' : 'on';
if (values.json) writeFileSync(values.json, JSON.stringify({ date: new Date().toISOString(), driver_cache: cache, floor_ms: floor, models }, null, 1));
process.exit(0);
