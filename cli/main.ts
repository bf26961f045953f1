// `kiln` for Node: check ONNX backend-test folders, run a model, benchmark it, describe it.

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BACKENDS, isBackendName, type BackendName, type TuningRecords } from '../runtime/backends';
import { relaxedSimdSupported } from '../runtime/backends/wasm/module';
import { decodeTensor, encodeTensor } from '../runtime/onnx/tensor-proto';
import { describeInfo, InferenceSession } from '../runtime/session';
import { describe as describeTensor, tensor, allocData, type Tensor } from '../runtime/tensor';
import { checkFolder, testFolders } from './conformance';
import { prepareBackend } from './node-gpu';

const USAGE = `usage:
  kiln check <folder>... [--backend NAME] [--no-fallback] [--json FILE]
  kiln run <model.onnx> --input name=file.pb ... --out DIR [--backend NAME]
  kiln bench <model.onnx> [--backend NAME] [--runs N] [--warmup N] [--kernels] [--tune-s S] [--tuning FILE]
  kiln info <model.onnx> [--backend NAME]
backends: ${BACKENDS.join(', ')}`;

async function backendOf(v: string | undefined): Promise<BackendName> {
  const b = v ?? 'reference';
  if (!isBackendName(b)) throw new UsageError(`unknown backend '${b}': expected one of ${BACKENDS.join(', ')}`);
  await prepareBackend(b);
  return b;
}

class UsageError extends Error {}

async function check(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { backend: { type: 'string' }, json: { type: 'string' }, 'no-fallback': { type: 'boolean' } } });
  const backend = await backendOf(values.backend);
  const options = { noFallback: values['no-fallback'] ?? false };
  const folders = testFolders(positionals);
  if (folders.length === 0) throw new UsageError('check: no test folders (each holds model.onnx and test_data_set_*)');
  let passed = 0, failed = 0;
  const results = [];
  for (const dir of folders) {
    const r = await checkFolder(dir, backend, options);
    results.push(r);
    if (r.pass) passed++;
    else failed++;
    console.log(r.pass ? `PASS ${r.name}` : `FAIL ${r.name}: ${r.reason}`);
  }
  if (values.json) writeFileSync(values.json, JSON.stringify(results, null, 1));
  console.log(`${passed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { backend: { type: 'string' }, input: { type: 'string', multiple: true }, out: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('run: give exactly one model file');
  if (!values.out) throw new UsageError('run: --out DIR is required');
  const session = await InferenceSession.create(readFileSync(positionals[0]), { backend: await backendOf(values.backend) });
  const feeds: Record<string, Tensor> = {};
  for (const spec of values.input ?? []) {
    const eq = spec.indexOf('=');
    if (eq < 1) throw new UsageError(`run: --input must be name=file.pb, got '${spec}'`);
    feeds[spec.slice(0, eq)] = decodeTensor(readFileSync(spec.slice(eq + 1)));
  }
  const out = await session.run(feeds);
  mkdirSync(values.out, { recursive: true });
  session.outputs.forEach((o, i) => {
    const file = join(values.out!, `output_${i}.pb`);
    writeFileSync(file, encodeTensor(out[o.name], o.name));
    console.log(`${o.name}: ${describeTensor(out[o.name])} -> ${file}`);
  });
  return 0;
}

/** A feed for every input: declared dims, symbolic ones set to 1, filled with small values. */
function syntheticFeeds(session: InferenceSession): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const i of session.inputs) {
    if (!i.type || !i.dims) throw new UsageError(`bench: input '${i.name}' has no declared type and shape`);
    const dims = i.dims.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const t = tensor(i.type, dims, allocData(i.type, dims.reduce((a, b) => a * b, 1)));
    if (t.data instanceof Float32Array) for (let k = 0; k < t.data.length; k++) t.data[k] = Math.sin(k) * 0.5;
    feeds[i.name] = t;
  }
  return feeds;
}

async function bench(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv, allowPositionals: true,
    options: { backend: { type: 'string' }, runs: { type: 'string' }, warmup: { type: 'string' }, kernels: { type: 'boolean' }, 'tune-s': { type: 'string' }, tuning: { type: 'string' } },
  });
  if (positionals.length !== 1) throw new UsageError('bench: give exactly one model file');
  const runs = Number(values.runs ?? 20), warmup = Number(values.warmup ?? 3), tuneS = Number(values['tune-s'] ?? 0);
  if (!(runs >= 1) || !(warmup >= 0) || !(tuneS >= 0)) throw new UsageError('bench: --runs must be ≥ 1, --warmup and --tune-s ≥ 0');
  const bytes = readFileSync(positionals[0]);
  // --tuning FILE: the records a tuning run on this device wrote there, followed; --tune-s adds to them
  const tuning = values.tuning && existsSync(values.tuning) ? (JSON.parse(readFileSync(values.tuning, 'utf8')) as TuningRecords) : undefined;
  const t0 = performance.now();
  const session = await InferenceSession.create(bytes, { backend: await backendOf(values.backend), tuning });
  const create = performance.now() - t0;
  const feeds = syntheticFeeds(session);
  const t1 = performance.now();
  await session.run(feeds);
  const first = performance.now() - t1;
  if (tuneS > 0) await tune(session, tuneS, values.tuning);
  for (let i = 0; i < warmup; i++) await session.run(feeds);
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await session.run(feeds);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor((times.length - 1) / 2)];
  const r = (x: number) => Math.round(x * 1000) / 1000;
  console.log(`${positionals[0]} on ${session.backend}: ${runs} runs after ${warmup} warm-up`);
  await session.run(feeds, { profile: true });
  const gpu = session.lastGpuMs;
  console.log(`create ${r(create)} ms, first run ${r(first)} ms, p50 ${r(p50)} ms, min ${r(times[0])} ms${gpu === undefined ? '' : `, GPU ${r(gpu)} ms`}`);
  if (values.kernels) await printKernelTimes(session, feeds);
  console.log(JSON.stringify({ p50_ms: r(p50), min_ms: r(times[0]), first_ms: r(first), create_ms: r(create), ...(gpu === undefined ? {} : { gpu_ms: r(gpu) }) }));
  return 0;
}

/** Tunes the session's kernels on this device for at most `seconds`, says what changed, and saves the records to `file`. */
async function tune(session: InferenceSession, seconds: number, file: string | undefined): Promise<void> {
  const results = await session.tune({ budgetMs: seconds * 1000 });
  if (!results) return void console.log(`tune: the ${session.backend} backend does not tune`);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  for (const t of results) {
    const records = Object.entries(t.records);
    const changed = records.filter(([, rec]) => Object.keys(rec.config).length > 0);
    console.log(`tuned in ${Math.round(t.ms)} ms (${t.candidatesTried} of ${t.candidates} candidates): ${records.length} GEMM problems, ${changed.length} given another configuration; their GPU time ${r(t.baselineMs)} → ${r(t.tunedMs)} ms`);
    for (const [key, rec] of changed) console.log(`  ${key}: ${JSON.stringify(rec.config)} ${r(rec.baselineMs)} → ${r(rec.ms)} ms`);
  }
  if (file) writeFileSync(file, JSON.stringify(session.tuning ?? {}, null, 1));
}

/** The kernels that take the most GPU time: medians over a few runs timed per dispatch. */
async function printKernelTimes(session: InferenceSession, feeds: Record<string, Tensor>): Promise<void> {
  const runs: (readonly { label: string; node: string; ms: number }[])[] = [];
  for (let i = 0; i < 5; i++) {
    await session.run(feeds, { profile: 'kernels' });
    if (!session.lastKernelTimes) return void console.log('kernels: this backend does not time dispatches');
    runs.push(session.lastKernelTimes);
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  const byLabel = new Map<string, { ms: number; count: number }>();
  runs[0].forEach((k, i) => {
    const ms = median(runs.map((r) => r[i].ms));
    const e = byLabel.get(k.label) ?? { ms: 0, count: 0 };
    byLabel.set(k.label, { ms: e.ms + ms, count: e.count + 1 });
  });
  const total = [...byLabel.values()].reduce((a, e) => a + e.ms, 0);
  console.log(`kernels: ${runs[0].length} dispatches, ${total.toFixed(3)} ms summed (one pass each, so a little more than a plain run)`);
  for (const [label, e] of [...byLabel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15)) {
    console.log(`  ${e.ms.toFixed(3).padStart(8)} ms ${String(e.count).padStart(4)}×  ${label}`);
  }
}

async function info(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { backend: { type: 'string' } } });
  if (positionals.length !== 1) throw new UsageError('info: give exactly one model file');
  const backend = await backendOf(values.backend);
  const session = await InferenceSession.create(readFileSync(positionals[0]), { backend });
  const m = await session.model();
  console.log(`producer: ${m.producer || '?'}, IR ${m.irVersion}, opsets ${[...m.opsets].map(([d, v]) => `${d || 'ai.onnx'}:${v}`).join(' ')}`);
  for (const i of session.inputs) console.log(`input  ${i.name}: ${describeInfo(i)}`);
  for (const o of session.outputs) console.log(`output ${o.name}: ${describeInfo(o)}`);
  const ops = new Map<string, number>();
  for (const n of m.graph.nodes) ops.set(n.op, (ops.get(n.op) ?? 0) + 1);
  console.log(`${m.graph.nodes.length} nodes: ${[...ops].map(([k, v]) => `${k}×${v}`).join(' ')}`);
  const plan = await session.planReport(new Map(Object.entries(syntheticFeeds(session)).map(([k, t]) => [k, t.dims])));
  if (plan) {
    // the wasm backend reports kernel calls, distinct kernels and bytes of its linear memory
    const [calls, kernels, memory, fallback] = backend === 'wasm'
      ? ['kernel calls', 'kernels', 'linear memory', 'the reference kernels'] : ['dispatches', 'pipelines', 'GPU buffers', 'the CPU'];
    console.log(`${backend}: ${plan.dispatches} ${calls}, ${plan.pipelines} ${kernels}, ${plan.aliases} aliases; ${memory}: weights ${plan.bytes.weights} B, pooled ${plan.bytes.pooled} B, inputs/outputs ${plan.bytes.io} B`);
    if (backend === 'wasm') console.log(`wasm kernels: ${relaxedSimdSupported() ? 'the relaxed-SIMD build (fused multiply-adds)' : 'the SIMD128 build'}`);
    console.log(plan.fallbacks.length ? `${plan.fallbacks.length} node(s) fall back to ${fallback}:` : `no fallback to ${fallback}`);
    for (const f of plan.fallbacks) console.log(`  ${f.op} ${f.node}: ${f.reason}`);
  }
  return 0;
}

const commands: Record<string, (argv: string[]) => Promise<number>> = { check, run, bench, info };

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  const fn = cmd ? commands[cmd] : undefined;
  if (!fn) {
    console.error(USAGE);
    return 2;
  }
  try {
    return await fn(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`kiln: ${e.message}\n${USAGE}`);
      return 2;
    }
    console.error(`kiln ${cmd}: ${(e as Error).message}`);
    return 1;
  }
}
