// The GPU benchmark: for each ONNX file, on the same bytes and in one process, Kiln's WebGPU backend
// and onnxruntime-web's WebGPU EP on the same Dawn GPU: session creation, first run, p50 and min
// end-to-end run (upload and readback included), GPU time, peak GPU memory. Prints a table per
// model and ends with one JSON line holding every figure (also written to --out as it goes).
//   bench.ts [--runs 100] [--warmup 10] [--profile-runs 10] [--budget-s 15] [--engines kiln,ort]
//            [--ort-dir node_modules/onnxruntime-web/dist] [--out FILE] model.onnx...

import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { useDawn } from '../../cli/node-gpu';
import type { TensorType } from '../../runtime/ir/graph';
import { importOnnx } from '../../runtime/onnx/import';
import type { Engine, Feed } from './engine';
import { GpuMemory } from './gpu-memory';
import { kilnEngine } from './kiln-engine';
import { measure, type MeasureOptions } from './measure';
import { ortEngine } from './ort-web';
import type { BenchReport, ModelRecord } from './results';

interface Dawn {
  create(flags: string[]): GPU;
}

class UsageError extends Error {}

/** Dawn's GPU object for onnxruntime-web, loaded the way cli/node-gpu.ts loads it for Kiln. */
async function dawnGpu(): Promise<GPU> {
  const dawn = process.env.DAWN_NODE
    ? (createRequire(import.meta.url)(process.env.DAWN_NODE) as Dawn)
    : ((await import('webgpu')) as unknown as Dawn);
  return dawn.create(['disable-dawn-features=timestamp_quantization']);
}

/** One float32 input with its declared dims (symbolic ones set to 1), a fixed smooth pattern. */
function feedFor(bytes: Uint8Array): Feed {
  const inputs = importOnnx(bytes).graph.inputs;
  if (inputs.length !== 1) throw new Error(`the bench feeds models with one input; this one has ${inputs.length}`);
  const t = inputs[0].type as TensorType | null;
  if (t?.kind !== 'tensor' || t.dtype !== 'float32' || !t.shape) throw new Error(`input '${inputs[0].name}' is not a float32 tensor of known rank`);
  const dims = t.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  for (let k = 0; k < data.length; k++) data[k] = Math.sin(k * 0.01) * 0.5;
  return { name: inputs[0].name, dims, data };
}

function agreement(a: Float32Array, b: Float32Array): ModelRecord['agreement'] {
  if (a.length !== b.length) return { max_abs_diff: Number.POSITIVE_INFINITY, ort_max_abs: 0 };
  let diff = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return { max_abs_diff: Number.isNaN(diff) ? Number.POSITIVE_INFINITY : diff, ort_max_abs: scale };
}

const ms = (x: number | undefined) => (x === undefined ? '-' : x < 10 ? x.toFixed(2) : x.toFixed(1));
const mib = (b: number | undefined) => (b === undefined ? '-' : (b / 2 ** 20).toFixed(1));

function printTable(rec: ModelRecord, engines: readonly Engine[]): void {
  const head = ['engine', 'create ms', 'first ms', 'p50 ms', 'min ms', 'GPU ms', 'peak MiB', 'runs', 'notes'];
  const rows = engines.map((e) => {
    const r = rec.engines[e.key];
    if (!r) return [e.label, '-', '-', '-', '-', '-', '-', '-', 'not run'];
    if (!r.ok) return [e.label, '-', '-', '-', '-', '-', mib(r.peak_gpu_bytes), '-', `FAILED in ${r.stage}: ${r.error.split('\n')[0].slice(0, 100)}`];
    const d = r.details ?? {};
    const note = typeof d.dispatches === 'number' ? `${d.dispatches} dispatches, ${String(d.fallbacks)} CPU fallbacks` : '';
    return [e.label, ms(r.create_ms), ms(r.first_ms), ms(r.p50_ms), ms(r.min_ms), ms(r.gpu_p50_ms), mib(r.peak_gpu_bytes), String(r.runs), note];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${rec.model} (${(rec.bytes / 2 ** 20).toFixed(1)} MiB, input ${rec.input ? `${rec.input.name}[${rec.input.dims.join(',')}]` : '?'})`);
  console.log(line(head));
  for (const r of rows) console.log(line(r));
  if (rec.agreement) console.log(`kiln vs ort: max |diff| ${rec.agreement.max_abs_diff.toExponential(2)} (output scale ${rec.agreement.ort_max_abs.toFixed(3)})`);
  if (rec.error) console.log(`error: ${rec.error}`);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '100' },
      warmup: { type: 'string', default: '10' },
      'profile-runs': { type: 'string', default: '10' },
      'budget-s': { type: 'string', default: '15' },
      engines: { type: 'string', default: 'kiln,ort' },
      'ort-dir': { type: 'string', default: 'node_modules/onnxruntime-web/dist' },
      out: { type: 'string' },
    },
  });
  const o: MeasureOptions = {
    runs: Number(values.runs),
    warmup: Number(values.warmup),
    profileRuns: Number(values['profile-runs']),
    budgetMs: Number(values['budget-s']) * 1000,
  };
  if (!positionals.length) throw new UsageError('give one or more .onnx files');
  if (!(o.runs >= 1 && o.warmup >= 0 && o.profileRuns >= 0 && o.budgetMs > 0)) throw new UsageError('--runs ≥ 1, --warmup ≥ 0, --profile-runs ≥ 0, --budget-s > 0');

  await useDawn();
  const memory = new GpuMemory();
  memory.install();
  const gpu = await dawnGpu();
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  const info = adapter?.info;
  const device = info ? [info.vendor, info.architecture, info.device, info.description].filter(Boolean).join(' ') : 'no adapter';
  const all: Record<string, Engine> = {
    kiln: kilnEngine(() => memory.destroyAll('kiln')),
    ort: ortEngine(values['ort-dir']!, gpu),
  };
  const engines = values.engines!.split(',').map((k) => {
    const e = all[k.trim()];
    if (!e) throw new UsageError(`unknown engine '${k}' (kiln, ort)`);
    return e;
  });

  const report: BenchReport = {
    kind: 'kiln-gpu-bench',
    date: new Date().toISOString(),
    device,
    timestamp_query: adapter?.features.has('timestamp-query') ?? false,
    node: process.version,
    dawn: process.env.DAWN_NODE ? 'DAWN_NODE' : 'webgpu package',
    options: o,
    models: [],
  };
  const save = () => values.out && writeFileSync(values.out, JSON.stringify(report, null, 1));
  console.log(`device: ${device}; ${o.runs} runs after ${o.warmup} warm-ups, ${o.profileRuns} profiled, budget ${o.budgetMs / 1000} s per engine`);

  for (const file of positionals) {
    const bytes = new Uint8Array(readFileSync(file));
    const rec: ModelRecord = {
      model: basename(file).replace(/\.onnx$/, ''),
      file,
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      engines: {},
    };
    report.models.push(rec);
    const outputs = new Map<string, Float32Array>();
    try {
      const feed = feedFor(bytes);
      rec.input = { name: feed.name, dims: [...feed.dims] };
      for (const e of engines) {
        const onStage = (stage: string) => {
          rec.engines[e.key] = { ok: false, stage, error: 'did not finish (the process was stopped, or is still running)' };
          save();
        };
        const m = await measure(e, bytes, feed, memory, { ...o, onStage });
        rec.engines[e.key] = m.result;
        if (m.output) outputs.set(e.key, m.output);
        save();
      }
      const k = outputs.get('kiln'), r = outputs.get('ort');
      if (k && r) rec.agreement = agreement(k, r);
    } catch (e) {
      rec.error = e instanceof Error ? e.message : String(e);
    }
    save();
    printTable(rec, engines);
  }
  console.log(JSON.stringify(report));
  return 0;
}

process.on('unhandledRejection', (e) => console.error('unhandled rejection:', e));
main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    console.error(e instanceof UsageError ? `bench: ${e.message}` : e);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
