// `npm run bench:create -- [--backend wasm|webgpu] [--model FILE] [--runs N] [--json FILE]`: session
// creation without and with the compiled-model cache, in Node, each in a fresh process, alternated
// round by round on the same ONNX bytes:
//  - cold: read the model, import, optimize, lower, compile (pipelines, packed weights), then write
//    the compiled model to a file, untimed, as the extension's store keeps it: a skeleton
//    (v8.serialize, the structured clone IndexedDB makes) and one block of all its typed arrays
//    (background/store/blob-pack.ts); the same process then restores a copy of it (the worker
//    still alive: same device), first beside the compiled session, then, both released, once more
//    from the compiled model already in memory (a page reloaded while the worker lives: the
//    worker keeps the compiled models it used last, and released plans' memory, for this);
//  - warm: read that file, deserialize the skeleton, view the arrays in place, restore (pipelines,
//    weights placed; nothing imported).
// Both processes acquire the device (or compile the kernel module) before their clock starts, as a
// running service worker already has. Prints medians and the warm/cold ratio.

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import { packToBlob, unpackFromBlob } from '../../background/store/blob-pack';
import { prepareBackend } from '../../cli/node-gpu';
import { isBackendName, type BackendName } from '../../runtime/backends';
import { kernelModule } from '../../runtime/backends/wasm/module';
import { gpuContext } from '../../runtime/backends/webgpu/gpu';
import type { CompiledModel } from '../../runtime/compiled';
import { InferenceSession } from '../../runtime/session';
import type { Tensor } from '../../runtime/tensor';
import { median } from '../median';

const { values } = parseArgs({
  options: { backend: { type: 'string' }, model: { type: 'string' }, runs: { type: 'string' }, json: { type: 'string' }, child: { type: 'string' }, artifact: { type: 'string' } },
});
const backend = values.backend ?? 'wasm';
if (!isBackendName(backend) || backend === 'reference') throw new Error(`--backend must be wasm or webgpu, got '${backend}'`);
const model = values.model ?? join(import.meta.dirname, '../../../shared/models/mobilenet_v2.onnx');

interface ChildFigures {
  create_ms: number;
  /** cold only: a restore in the same process, from an in-memory copy of the compiled model */
  same_process_ms?: number;
  /** cold only: a restore in the same process once its sessions were released (file already decoded) */
  after_release_ms?: number;
  artifact_bytes?: number;
  /** sha256 of the first output of one run, to check both sessions answer alike */
  output: string;
}

async function ready(b: BackendName): Promise<void> {
  await prepareBackend(b);
  if (b === 'webgpu') await gpuContext();
  if (b === 'wasm') await kernelModule();
}

async function firstOutput(session: InferenceSession): Promise<string> {
  const feeds: Record<string, Tensor> = {};
  for (const i of session.inputs) {
    const dims = (i.dims ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    feeds[i.name] = { type: 'float32', dims, data: Float32Array.from({ length: n }, (_, k) => Math.sin(k * 0.37) * 0.8) };
  }
  const out = (await session.run(feeds))[session.outputs[0].name].data as Float32Array;
  return createHash('sha256').update(new Uint8Array(out.buffer, out.byteOffset, out.byteLength)).digest('hex');
}

async function child(mode: string, b: BackendName, artifact: string): Promise<ChildFigures> {
  await ready(b);
  if (mode === 'cold') {
    const t0 = performance.now();
    const session = await InferenceSession.create(new Uint8Array(readFileSync(model)), { backend: b });
    const create_ms = performance.now() - t0;
    const compiled = (await session.compiled())!;
    const bytes = await encode(compiled);
    writeFileSync(artifact, bytes);
    const t1 = performance.now();
    const again = await InferenceSession.restore(decode(bytes.slice()), async () => readFileSync(model), { backend: b });
    const same_process_ms = performance.now() - t1;
    const output = await firstOutput(session);
    again.release();
    session.release();
    const kept = decode(bytes.slice());
    const t2 = performance.now();
    const reloaded = await InferenceSession.restore(kept, async () => readFileSync(model), { backend: b });
    const after_release_ms = performance.now() - t2;
    if (await firstOutput(reloaded) !== output) throw new Error('the session restored after a release answered differently');
    reloaded.release();
    return { create_ms, same_process_ms, after_release_ms, artifact_bytes: bytes.byteLength, output };
  }
  const t0 = performance.now();
  const compiled = decode(readFileSync(artifact));
  const session = await InferenceSession.restore(compiled, async () => {
    throw new Error('the warm create imported the model');
  }, { backend: b });
  const create_ms = performance.now() - t0;
  return { create_ms, output: await firstOutput(session) };
}

/** The file: skeleton length (u32), the skeleton, zero padding to a multiple of 8, the arrays' bytes. */
async function encode(compiled: CompiledModel): Promise<Uint8Array> {
  const { skeleton, data } = packToBlob(compiled);
  const head = serialize(skeleton);
  const base = Math.ceil((4 + head.byteLength) / 8) * 8;
  const out = new Uint8Array(base + data.size);
  new DataView(out.buffer).setUint32(0, head.byteLength, true);
  out.set(head, 4);
  out.set(new Uint8Array(await data.arrayBuffer()), base);
  return out;
}

function decode(file: Uint8Array): CompiledModel {
  const n = new DataView(file.buffer, file.byteOffset).getUint32(0, true);
  const skeleton = deserialize(file.subarray(4, 4 + n));
  const base = file.byteOffset + Math.ceil((4 + n) / 8) * 8;
  return unpackFromBlob(skeleton, file.buffer as ArrayBuffer, base) as CompiledModel;
}

if (values.child) {
  console.log(JSON.stringify(await child(values.child, backend, values.artifact!)));
  process.exit(0);
}

const runs = Number(values.runs ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'kiln-create-bench-'));
const artifact = join(dir, 'compiled.bin');
const spawn = (mode: string): ChildFigures => {
  const r = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', mode, '--backend', backend, '--model', model, '--artifact', artifact], { encoding: 'utf8' });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !line.startsWith('{')) throw new Error(`the ${mode} process failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(line) as ChildFigures;
};
const cold: ChildFigures[] = [], warm: ChildFigures[] = [];
try {
  for (let i = 0; i < runs; i++) {
    cold.push(spawn('cold'));
    warm.push(spawn('warm'));
    if (warm[i].output !== cold[i].output) throw new Error('the restored session answered differently from the compiled one');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const c = median(cold.map((f) => f.create_ms)), w = median(warm.map((f) => f.create_ms)), s = median(cold.map((f) => f.same_process_ms!));
const r = median(cold.map((f) => f.after_release_ms!));
const summary = {
  date: new Date().toISOString(), backend, model: model.split('/').pop(), runs,
  cold_ms: c, warm_ms: w, warm_over_cold: w / c, same_process_warm_ms: s, same_process_over_cold: s / c,
  after_release_warm_ms: r, after_release_over_cold: r / c,
  artifact_bytes: cold[0].artifact_bytes, model_bytes: readFileSync(model).byteLength,
  cold_runs: cold.map((f) => f.create_ms), warm_runs: warm.map((f) => f.create_ms),
};
console.log(`${summary.model} on ${backend}, ${runs} rounds, each in a fresh process (medians):`);
console.log(`  cold create ${c.toFixed(1)} ms; warm create from the compiled model ${w.toFixed(1)} ms (${(w / c).toFixed(2)} of cold)`);
console.log(`  warm create in the process that compiled it (device kept) ${s.toFixed(1)} ms (${(s / c).toFixed(2)} of cold)`);
console.log(`  warm create there once its sessions were released (compiled model in memory) ${r.toFixed(1)} ms (${(r / c).toFixed(2)} of cold)`);
console.log(`  compiled model ${(summary.artifact_bytes! / 1048576).toFixed(1)} MiB for ${(summary.model_bytes / 1048576).toFixed(1)} MiB of ONNX`);
if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 2));
