// Turns the GPU benchmark's output into docs: combines run.sh's $OUT folder (torch.json,
// bench-*.json, stages.tsv, env.txt) into results.json, and writes the markdown tables for
// docs/BENCHMARKS.md (between its bench:results markers) and an SVG bar chart.
//   report.ts OUT_DIR|results.json|bench-MODEL.json [--results-out FILE] [--md FILE] [--write docs/BENCHMARKS.md]
//             [--svg FILE] [--chart-link benchmarks-chart.svg]

import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { barChart, type Series } from './chart';
import type { EngineResult } from './engine';
import type { BenchReport, ModelRecord, Results, Stage, TorchReport } from './results';

const MODELS: readonly (readonly [string, string])[] = [
  ['mobilenet_v2', 'MobileNetV2'],
  ['resnet50', 'ResNet-50'],
  ['squeezenet1_1', 'SqueezeNet 1.1'],
  ['efficientnet_b0', 'EfficientNet-B0'],
];
const nameOf = (m: string) => MODELS.find(([k]) => k === m)?.[1] ?? m;
const COMMAND = '`npm run bench:gpu:pack`, then on the GPU machine `source .gpu/prelude.sh; bash .bench/run.sh` (carrying `.gpu` and `.bench`), then `npm run bench:gpu:report -- OUT/results.json --write docs/BENCHMARKS.md --svg docs/benchmarks-chart.svg`';

const readJson = <T>(file: string): T | undefined => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined);

/** results.json from run.sh's output folder. */
export function combine(dir: string): Results {
  const env = existsSync(join(dir, 'env.txt')) ? readFileSync(join(dir, 'env.txt'), 'utf8') : '';
  const field = (k: string) => env.match(new RegExp(`^${k}: (.*)$`, 'm'))?.[1]?.trim() ?? '';
  const stages: Stage[] = existsSync(join(dir, 'stages.tsv'))
    ? readFileSync(join(dir, 'stages.tsv'), 'utf8').split('\n').filter(Boolean).map((l) => {
        const [name, rc, seconds] = l.split('\t');
        return { name, rc: Number(rc), seconds: Number(seconds) };
      })
    : [];
  const bench = readdirSync(dir)
    .filter((f) => /^bench-.*\.json$/.test(f))
    .map((f) => readJson<BenchReport>(join(dir, f))!)
    .filter((r) => r?.kind === 'kiln-gpu-bench');
  const torch = readJson<TorchReport>(join(dir, 'torch.json'));
  const smi = env.split('\n').find((l) => /NVIDIA|, \d+ MiB/.test(l));
  return {
    kind: 'kiln-gpu-results',
    date: field('date') || bench[0]?.date || new Date().toISOString(),
    commit: field('commit') || 'unknown',
    gpu: smi?.trim() || torch?.gpu || bench[0]?.device || 'unknown',
    stages,
    ...(torch ? { torch } : {}),
    bench,
  };
}

const f = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '–' : x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const mib = (b: number | undefined) => (b === undefined ? '–' : `${(b / 2 ** 20).toFixed(1)} MiB`);
const ratio = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || !(b > 0) ? '–' : (a / b).toFixed(2));
const pm = (p50: number | undefined, min: number | undefined) => (p50 === undefined ? '–' : `${f(p50)} (${f(min)})`);

interface Row {
  key: string;
  record?: ModelRecord;
  device?: string;
  torch?: TorchReport['models'][string];
}

function rows(r: Results): Row[] {
  const recs = new Map<string, { record: ModelRecord; device: string }>();
  for (const b of r.bench) for (const m of b.models) recs.set(m.model, { record: m, device: b.device });
  const keys = [...MODELS.map(([k]) => k), ...[...recs.keys()].filter((k) => !MODELS.some(([m]) => m === k))];
  return keys
    .map((key) => ({ key, record: recs.get(key)?.record, device: recs.get(key)?.device, torch: r.torch?.models[key] }))
    .filter((x) => x.record || x.torch);
}

const ok = (e: EngineResult | undefined) => (e?.ok ? e : undefined);
const failure = (e: EngineResult | undefined) => (e && !e.ok ? `failed in ${e.stage}` : undefined);

export function markdown(r: Results, chartLink: string | undefined): string {
  const rs = rows(r);
  const b0 = r.bench[0];
  const t = r.torch;
  const out: string[] = [];
  const [gpuName, driver, memory] = r.gpu.split(',').map((s) => s.trim());
  const gpu = driver ? `${gpuName} (driver ${driver}${memory ? `, ${memory}` : ''})` : gpuName;
  out.push(`Measured ${r.date.slice(0, 10)} on ${gpu}${b0 && b0.device !== r.gpu ? ` through Dawn (adapter: ${b0.device})` : ''}, Kiln commit ${r.commit}.`);
  out.push(
    `Batch 1, fp32, 224×224. Kiln and onnxruntime-web${b0 ? ` (${String(ok(b0.models[0]?.engines.ort)?.details?.version ?? 'web')})` : ''}: ` +
      `${b0 ? `${b0.options.runs} runs after ${b0.options.warmup} warm-ups (fewer where a ${b0.options.budgetMs / 1000} s budget ran out)` : 'not run'}, ` +
      `in one Node ${b0?.node ?? ''} process per model, on the same ONNX bytes. ` +
      (t ? `PyTorch ${t.torch} (CUDA ${t.cuda}, cuDNN ${t.cudnn}), torchvision ${t.torchvision}: ${t.runs} runs after ${t.warmup} warm-ups, cudnn.benchmark on.` : 'PyTorch: not run.'),
  );
  out.push('');
  out.push(`Command: ${COMMAND}.`);
  out.push('');
  out.push('**Run time, p50 (min), ms.** Kiln and onnxruntime-web: end to end, input upload and output readback included. PyTorch: CUDA-event time with the input already on the GPU (its end-to-end times are in the second table). Ratios are of p50s; below 1 means Kiln is faster.');
  out.push('');
  out.push('| model | Kiln | onnxruntime-web WebGPU | PyTorch eager | PyTorch CUDA graph | Kiln / ort-web | Kiln / eager | Kiln / graph |');
  out.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const x of rs) {
    const k = ok(x.record?.engines.kiln), o = ok(x.record?.engines.ort);
    const e = x.torch?.eager, g = x.torch?.graph;
    out.push(
      `| ${nameOf(x.key)} | ${k ? pm(k.p50_ms, k.min_ms) : failure(x.record?.engines.kiln) ?? '–'} | ${o ? pm(o.p50_ms, o.min_ms) : failure(x.record?.engines.ort) ?? '–'} | ` +
        `${pm(e?.p50_ms, e?.min_ms)} | ${pm(g?.p50_ms, g?.min_ms)} | ${ratio(k?.p50_ms, o?.p50_ms)} | ${ratio(k?.p50_ms, e?.p50_ms)} | ${ratio(k?.p50_ms, g?.p50_ms)} |`,
    );
  }
  out.push('');
  out.push('**Start-up, GPU time and memory.** Session creation and first run in a fresh process (onnxruntime-web\'s creation includes compiling its wasm). GPU time: p50 of the runs made with timestamp queries (Kiln: sum over its compute passes; onnxruntime-web does not report it in this build). Peak GPU memory: the most bytes of GPU buffers the engine held at once, counted by wrapping `createBuffer`/`destroy`.');
  out.push('');
  out.push('| model | engine | create ms | first run ms | GPU ms | peak GPU memory | notes |');
  out.push('| --- | --- | ---: | ---: | ---: | ---: | --- |');
  for (const x of rs) {
    for (const [key, label] of [['kiln', 'Kiln'], ['ort', 'onnxruntime-web']] as const) {
      const e = x.record?.engines[key];
      if (!e) continue;
      if (!e.ok) {
        out.push(`| ${nameOf(x.key)} | ${label} | – | – | – | ${mib(e.peak_gpu_bytes)} | failed in ${e.stage}: ${e.error.split('\n')[0].replace(/\|/g, '\\|').slice(0, 160)} |`);
        continue;
      }
      const d = e.details ?? {};
      const notes: string[] = [];
      if (typeof d.dispatches === 'number') notes.push(`${d.dispatches} dispatches, ${String(d.pipelines)} pipelines`);
      const cm = d.compile_ms as { pipelines?: number } | undefined;
      if (typeof d.device_ms === 'number' && typeof cm?.pipelines === 'number') {
        notes.push(`create: device ${f(d.device_ms)} ms, pipelines ${f(cm.pipelines)} ms, the rest ${f(e.create_ms - d.device_ms - cm.pipelines)} ms`);
      }
      if (typeof d.fallbacks === 'number') {
        const ops = Object.entries((d.fallback_ops ?? {}) as Record<string, number>).map(([op, n]) => `${op}×${n}`).join(' ');
        notes.push(d.fallbacks ? `${d.fallbacks} CPU fallbacks (${ops})` : 'no CPU fallback');
      }
      if (key === 'kiln' && x.record?.agreement) notes.push(`max abs diff to ort-web ${x.record.agreement.max_abs_diff.toExponential(1)} (output scale ${f(x.record.agreement.ort_max_abs)})`);
      if (e.runs < (r.bench[0]?.options.runs ?? 0)) notes.push(`${e.runs} runs`);
      if (e.gpu_quantized) notes.push('GPU time quantized to 65.5 µs by Dawn');
      out.push(`| ${nameOf(x.key)} | ${label} | ${f(e.create_ms)} | ${f(e.first_ms)} | ${f(e.gpu_p50_ms)} | ${mib(e.peak_gpu_bytes)} | ${notes.join('; ')} |`);
    }
    if (x.torch && !x.torch.error) {
      const ee = x.torch.eager_e2e, ge = x.torch.graph_e2e;
      out.push(`| ${nameOf(x.key)} | PyTorch | – | – | ${f(x.torch.graph?.p50_ms)} (graph) | – | end to end from pinned memory: eager ${pm(ee?.p50_ms, ee?.min_ms)}, CUDA graph ${pm(ge?.p50_ms, ge?.min_ms)} |`);
    } else if (x.torch?.error) {
      out.push(`| ${nameOf(x.key)} | PyTorch | – | – | – | – | failed: ${x.torch.error.slice(0, 160).replace(/\|/g, '\\|')} |`);
    }
  }
  const bad = r.stages.filter((s) => s.rc !== 0);
  if (bad.length) {
    out.push('');
    out.push(`Stages that did not end cleanly: ${bad.map((s) => `${s.name} (exit ${s.rc}${s.rc === 124 ? ', time limit' : ''}, ${s.seconds} s)`).join(', ')}.`);
  }
  if (t?.exports) {
    const ex = Object.entries(t.exports).map(([m, e]) => (e.ok ? `${nameOf(m)} by the ${e.exporter} exporter` : `${nameOf(m)} failed`));
    if (ex.length) out.push('', `Exported on the GPU machine: ${ex.join(', ')}.`);
  }
  if (chartLink) out.push('', `![p50 run time per model and engine, log scale](${chartLink})`);
  return out.join('\n') + '\n';
}

export function chart(r: Results): string {
  const rs = rows(r);
  const series: Series[] = [
    { label: 'Kiln (WebGPU, end to end)', color: '#d9480f', values: rs.map((x) => ok(x.record?.engines.kiln)?.p50_ms) },
    { label: 'onnxruntime-web WebGPU (end to end)', color: '#1c7ed6', values: rs.map((x) => ok(x.record?.engines.ort)?.p50_ms) },
    { label: 'PyTorch CUDA eager', color: '#868e96', values: rs.map((x) => x.torch?.eager?.p50_ms) },
    { label: 'PyTorch CUDA graph', color: '#343a40', values: rs.map((x) => x.torch?.graph?.p50_ms) },
  ];
  return barChart({ title: `p50 run time, ms (log scale): batch 1, fp32, ${r.gpu.split(',')[0]}, ${r.date.slice(0, 10)}`, groups: rs.map((x) => nameOf(x.key)), series });
}

/** results.json, or one bench.ts output (bench-MODEL.json) on its own. */
function load(file: string): Results {
  const j = JSON.parse(readFileSync(file, 'utf8')) as Results | BenchReport;
  if (j.kind === 'kiln-gpu-results') return j;
  if (j.kind === 'kiln-gpu-bench') return { kind: 'kiln-gpu-results', date: j.date, commit: 'unknown', gpu: j.device, stages: [], bench: [j] };
  throw new Error(`${file} is neither results.json nor a bench.ts output`);
}

const BEGIN = '<!-- bench:results:begin -->';
const END = '<!-- bench:results:end -->';

function main(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { 'results-out': { type: 'string' }, md: { type: 'string' }, write: { type: 'string' }, svg: { type: 'string' }, 'chart-link': { type: 'string' } },
  });
  if (positionals.length !== 1) {
    console.error('report: give run.sh\'s output folder or its results.json');
    return 2;
  }
  const src = positionals[0];
  const r = statSync(src).isDirectory() ? combine(src) : load(src);
  if (values['results-out']) writeFileSync(values['results-out'], JSON.stringify(r, null, 1) + '\n');
  const link = values['chart-link'] ?? (values.svg ? values.svg.split('/').pop() : undefined);
  const md = markdown(r, link);
  if (values.md) writeFileSync(values.md, md);
  if (values.svg) writeFileSync(values.svg, chart(r));
  if (values.write) {
    const doc = readFileSync(values.write, 'utf8');
    const a = doc.indexOf(BEGIN), b = doc.indexOf(END);
    if (a < 0 || b < a) {
      console.error(`report: ${values.write} has no ${BEGIN} … ${END} section`);
      return 1;
    }
    writeFileSync(values.write, `${doc.slice(0, a + BEGIN.length)}\n${md}${doc.slice(b)}`);
  }
  if (!values.md && !values.write) process.stdout.write(md);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
