// `npm run bench:wasm:browser [-- --runs N] [--warmup N] [--json FILE]`: the browser half of the
// WebAssembly benchmark. One headless Chromium with the built extension and WebGPU off; one page
// on 127.0.0.1 times, on the same ONNX bytes and input, interleaved run by run:
//  - Kiln's wasm backend in the extension's service worker, as the page sees it
//    (`kiln.create({url, sha256}, {backend: 'wasm'})`, then `session.run`: transport included);
//  - onnxruntime-web's WASM EP (SIMD, one thread) in the page itself (it cannot run in a service
//    worker: its WASM backend calls import(), which service workers forbid).
// The models are served to both from the same local server; Kiln installs each once (the grant
// prompt answered "Always allow"), and its creation is timed on a second create, the model
// already installed. Needs `npm run build` first.

/// <reference path="../../types/kiln.d.ts" />
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { currentWorker, launchWithExtension, servePage } from '../../e2e/browser';
import { DEFAULT_MODELS as MODELS } from './models';
import { median } from '../median';

const ROOT = join(import.meta.dirname, '../..');

const PAGE = `<!doctype html><meta charset="utf-8"><title>Kiln wasm bench</title>
<script type="module">
  import * as ort from './ort/ort.wasm.bundle.min.mjs';
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.wasmPaths = location.origin + '/ort/';
  ort.env.logLevel = 'error';
  window.ort = ort;
  document.body.dataset.ready = '1';
</script>`;

interface PageFigures {
  kiln: { install_ms: number; create_ms: number; first_ms: number; times: number[]; backend: string };
  ort: { create_ms: number; first_ms: number; times: number[] };
  max_abs_diff: number;
}

const { values } = parseArgs({ options: { runs: { type: 'string' }, warmup: { type: 'string' }, json: { type: 'string' } } });
// Many warm-ups: in the extension's service worker V8 tiers the kernels up from its baseline
// compiler only after seconds of running them (5 warm-ups left MobileNetV2 1.5× slower than 60).
const runs = Number(values.runs ?? 30), warmup = Number(values.warmup ?? 60);

const site = mkdtempSync(join(tmpdir(), 'kiln-wasm-bench-'));
writeFileSync(join(site, 'index.html'), PAGE);
symlinkSync(join(ROOT, 'node_modules/onnxruntime-web/dist'), join(site, 'ort'));
MODELS.forEach((m, i) => symlinkSync(m.file, join(site, `model${i}.onnx`)));

const served = await servePage(site);
const browser = await launchWithExtension({ webgpu: false, prompts: 'always' });
const report: Record<string, unknown> = { date: new Date().toISOString(), runs, warmup, chromium: browser.context.browser()?.version(), models: {} };
try {
  const page = await browser.context.newPage();
  await page.goto(served.url);
  await page.waitForFunction(() => document.body.dataset.ready === '1');
  for (const [i, m] of MODELS.entries()) {
    const sha256 = createHash('sha256').update(readFileSync(m.file)).digest('hex');
    const url = `${served.origin}/model${i}.onnx`;
    const f: PageFigures = await page.evaluate(
      // (no named functions in here: tsx would wrap them in a helper the page does not have)
      async ({ url, sha256, input, dims, runs, warmup }) => {
        const ort = (window as unknown as { ort: typeof import('onnxruntime-web') }).ort;
        const n = dims.reduce((a, b) => a * b, 1);
        const data = new Float32Array(n);
        for (let k = 0; k < n; k++) data[k] = Math.sin(k * 0.37) * 0.8;
        // Kiln: install once (download, verify, store), then time a create of the installed model
        let t = performance.now();
        const first = await window.kiln.create({ url, sha256 }, { backend: 'wasm' });
        const install = performance.now() - t;
        await first.destroy();
        t = performance.now();
        const kiln = await window.kiln.create({ url, sha256 }, { backend: 'wasm' });
        const kilnCreate = performance.now() - t;
        const feeds = { [input]: { type: 'float32' as const, dims, data } };
        t = performance.now();
        const kOut = (await kiln.run(feeds))[kiln.outputs[0].name].data as Float32Array;
        const kilnFirst = performance.now() - t;
        // onnxruntime-web: the same bytes, fetched before its clock starts
        const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
        t = performance.now();
        const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
        const ortCreate = performance.now() - t;
        const tensor = new ort.Tensor('float32', data, dims);
        t = performance.now();
        const oOut = (await session.run({ [input]: tensor }))[session.outputNames[0]].data as Float32Array;
        const ortFirst = performance.now() - t;
        let diff = 0;
        for (let k = 0; k < oOut.length; k++) diff = Math.max(diff, Math.abs(oOut[k] - kOut[k]));
        for (let w = 0; w < warmup; w++) {
          await kiln.run(feeds);
          await session.run({ [input]: tensor });
        }
        const kt: number[] = [], ot: number[] = [];
        for (let r = 0; r < runs; r++) {
          t = performance.now();
          await kiln.run(feeds);
          kt.push(performance.now() - t);
          t = performance.now();
          await session.run({ [input]: tensor });
          ot.push(performance.now() - t);
        }
        await kiln.destroy();
        await session.release();
        return {
          kiln: { install_ms: install, create_ms: kilnCreate, first_ms: kilnFirst, times: kt, backend: kiln.backend },
          ort: { create_ms: ortCreate, first_ms: ortFirst, times: ot },
          max_abs_diff: kOut.length === oOut.length ? diff : Infinity,
        };
      },
      { url, sha256, input: m.input, dims: m.dims, runs, warmup },
    );
    // the worker's own time of the same runs (its 'kiln:run' measures): the rest is transport
    const worker = await currentWorker(browser.context);
    const inWorker = (await worker.evaluate((n) => performance.getEntriesByName('kiln:run', 'measure').slice(-n).map((e) => e.duration), runs)) as number[];
    const overhead = f.kiln.times.slice(-inWorker.length).map((t, k) => t - inWorker[k]);
    const row = {
      transport: { p50_ms: median(overhead), worker_p50_ms: median(inWorker) },
      kiln: { p50_ms: median(f.kiln.times), min_ms: Math.min(...f.kiln.times), create_ms: f.kiln.create_ms, install_ms: f.kiln.install_ms, first_ms: f.kiln.first_ms, backend: f.kiln.backend },
      ort_web: { p50_ms: median(f.ort.times), min_ms: Math.min(...f.ort.times), create_ms: f.ort.create_ms, first_ms: f.ort.first_ms },
      max_abs_diff: f.max_abs_diff,
    };
    (report.models as Record<string, unknown>)[m.name] = row;
    const ms = (x: number) => x.toFixed(2).padStart(8);
    console.log(`\n${m.name} [${m.dims.join('x')}], ${runs} interleaved runs after ${warmup} warm-ups, in ${report.chromium}`);
    console.log(`  Kiln wasm in the service worker (${row.kiln.backend})   p50 ${ms(row.kiln.p50_ms)} ms  min ${ms(row.kiln.min_ms)} ms  create ${row.kiln.create_ms.toFixed(0)} ms (first install ${row.kiln.install_ms.toFixed(0)} ms)`);
    console.log(`  of which in the worker p50 ${ms(row.transport.worker_p50_ms)} ms; transport page → worker → page p50 ${ms(row.transport.p50_ms)} ms`);
    console.log(`  onnxruntime-web wasm in the page         p50 ${ms(row.ort_web.p50_ms)} ms  min ${ms(row.ort_web.min_ms)} ms  create ${row.ort_web.create_ms.toFixed(0)} ms`);
    console.log(`  ratio (p50) kiln / ort-web ${(row.kiln.p50_ms / row.ort_web.p50_ms).toFixed(2)} (target ≤ 0.6); max |Δ| of the outputs ${row.max_abs_diff.toExponential(2)}`);
  }
} finally {
  await browser.close();
  await served.close();
  rmSync(site, { recursive: true, force: true });
}
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 1));
process.exit(0);
