// `npm run bench:wasm [-- model.onnx:input:1x3x224x224 …] [--runs N] [--warmup N] [--json FILE]`:
// Kiln's WebAssembly backend against onnxruntime-web's WASM EP (SIMD, 1 thread) and native
// onnxruntime-node (1 thread), in one Node process, on the same ONNX bytes and input. Runs are
// interleaved engine by engine, so that load from other processes on this shared machine hits
// every engine alike; compare the ratios, not the absolute times.
// The browser half (Kiln in the extension's service worker, onnxruntime-web in a page) is
// bench/wasm/browser.ts.

import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { kilnEngine, ortNodeEngine, ortWebEngine, type CpuEngine, type Feed } from './engines';
import { DEFAULT_MODELS, type ModelCase } from './models';
import { median } from '../median';

/** file.onnx:input:1x3x224x224 */
function parseModel(spec: string): ModelCase {
  const [file, input, dims] = spec.split(':');
  if (!file || !input || !dims) throw new Error(`expected file.onnx:input:NxCxHxW, got '${spec}'`);
  return { name: file.split('/').pop()!, file, input, dims: dims.split('x').map(Number) };
}

function feedFor(c: ModelCase): Feed {
  const n = c.dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(i * 0.37) * 0.8;
  return { name: c.input, dims: c.dims, data };
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;

interface Figures {
  readonly create_ms: number;
  readonly first_ms: number;
  readonly p50_ms: number;
  readonly min_ms: number;
  /** max |difference| of the first output from onnxruntime-node's */
  max_abs_diff?: number;
}

async function benchModel(c: ModelCase, engines: CpuEngine[], runs: number, warmup: number): Promise<Record<string, Figures | { error: string }>> {
  const bytes = new Uint8Array(readFileSync(c.file));
  const feed = feedFor(c);
  const live: { e: CpuEngine; create: number; first: number; times: number[]; out?: Float32Array }[] = [];
  const result: Record<string, Figures | { error: string }> = {};
  for (const e of engines) {
    try {
      await e.load?.();
      const t0 = performance.now();
      await e.create(bytes, feed);
      const create = performance.now() - t0;
      const t1 = performance.now();
      const out = await e.run();
      live.push({ e, create, first: performance.now() - t1, times: [], out });
    } catch (err) {
      result[e.key] = { error: (err as Error).message.slice(0, 300) };
    }
  }
  for (let i = 0; i < warmup; i++) for (const l of live) await l.e.run();
  for (let i = 0; i < runs; i++) {
    for (const l of live) {
      const t = performance.now();
      await l.e.run();
      l.times.push(performance.now() - t);
    }
  }
  const ref = live.find((l) => l.e.key === 'ort-node')?.out;
  for (const l of live) {
    const f: Figures = { create_ms: r3(l.create), first_ms: r3(l.first), p50_ms: r3(median(l.times)), min_ms: r3(Math.min(...l.times)) };
    if (ref && l.out && l.e.key !== 'ort-node') {
      let m = 0;
      for (let k = 0; k < ref.length; k++) m = Math.max(m, Math.abs(ref[k] - l.out[k]));
      f.max_abs_diff = m;
    }
    result[l.e.key] = f;
    await l.e.release();
  }
  return result;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string' }, warmup: { type: 'string' }, json: { type: 'string' } },
});
const runs = Number(values.runs ?? 30), warmup = Number(values.warmup ?? 5);
const models = positionals.length ? positionals.map(parseModel) : DEFAULT_MODELS;
const engines = [kilnEngine(), ortWebEngine(), ortNodeEngine()];
const report: Record<string, unknown> = { date: new Date().toISOString(), runs, warmup, node: process.version, models: {} };
for (const c of models) {
  const r = await benchModel(c, engines, runs, warmup);
  (report.models as Record<string, unknown>)[c.name] = r;
  console.log(`\n${c.name} [${c.dims.join('x')}], ${runs} interleaved runs after ${warmup} warm-up`);
  for (const e of engines) {
    const f = r[e.key];
    if (!f) continue;
    if ('error' in f) console.log(`  ${e.label.padEnd(40)} failed: ${f.error}`);
    else console.log(`  ${e.label.padEnd(40)} p50 ${f.p50_ms.toFixed(2).padStart(8)} ms  min ${f.min_ms.toFixed(2).padStart(8)} ms  create ${f.create_ms.toFixed(1).padStart(7)} ms${f.max_abs_diff === undefined ? '' : `  max|Δ| ${f.max_abs_diff.toExponential(2)}`}`);
  }
  const k = r.kiln, w = r['ort-web'], n = r['ort-node'];
  const ratio = (a: typeof k, b: typeof k) => (a && b && !('error' in a) && !('error' in b) ? (a.p50_ms / b.p50_ms).toFixed(2) : 'n/a');
  console.log(`  ratios (p50): kiln / ort-web ${ratio(k, w)} (target ≤ 0.6), kiln / ort-node ${ratio(k, n)}`);
}
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 1));
process.exit(0);
