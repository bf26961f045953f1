// `npm run bench:transport [-- --runs N] [--json FILE]`: the extension's transport on its own.
// One headless Chromium with the built extension and WebGPU off; a page on 127.0.0.1 runs a model
// that does almost nothing (Flatten, then Slice: 602,112 bytes in, 4,000 bytes out, the shapes of
// the transport target) on the wasm backend, and the page's time of each run less the worker's own
// ('kiln:run' measures) is what carrying the request and its answer cost. Needs `npm run build`.

/// <reference path="../../types/kiln.d.ts" />
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { currentWorker, launchWithExtension, servePage } from '../../e2e/browser';
import { buildModel } from '../../tests/fixtures/onnx-builder';
import { median } from '../median';

const { values } = parseArgs({ options: { runs: { type: 'string' }, json: { type: 'string' } } });
const runs = Number(values.runs ?? 100);
const WARMUP = 30;

const model = buildModel({
  inputs: [{ name: 'x', type: 'float32', dims: [1, 3, 224, 224] }],
  outputs: [{ name: 'y', type: 'float32', dims: [1, 1000] }],
  nodes: [
    { op: 'Flatten', inputs: ['x'], outputs: ['flat'], attrs: { axis: 1 } },
    { op: 'Slice', inputs: ['flat', 'starts', 'ends', 'axes'], outputs: ['y'] },
  ],
  initializers: {
    starts: { type: 'int64', dims: [1], data: new BigInt64Array([0n]) },
    ends: { type: 'int64', dims: [1], data: new BigInt64Array([1000n]) },
    axes: { type: 'int64', dims: [1], data: new BigInt64Array([1n]) },
  },
});
const site = mkdtempSync(join(tmpdir(), 'kiln-transport-bench-'));
writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><title>Kiln transport bench</title>');
writeFileSync(join(site, 'slice.onnx'), model);
const sha256 = createHash('sha256').update(model).digest('hex');

const served = await servePage(site);
const browser = await launchWithExtension({ webgpu: false, prompts: 'always' });
try {
  const page = await browser.context.newPage();
  await page.goto(served.url);
  const f = await page.evaluate(
    // (no named functions in here: tsx would wrap them in a helper the page does not have)
    async ({ url, sha256, runs, warmup }) => {
      const session = await window.kiln.create({ url, sha256 }, { backend: 'wasm' });
      const data = new Float32Array(3 * 224 * 224).map((_, k) => k);
      const feeds = { x: { type: 'float32' as const, dims: [1, 3, 224, 224], data } };
      const times: number[] = [];
      for (let r = 0; r < warmup + runs; r++) {
        const t = performance.now();
        const y = (await session.run(feeds)).y.data as Float32Array;
        if (r >= warmup) times.push(performance.now() - t);
        if (y.length !== 1000 || y[999] !== 999) throw new Error('the probe model answered wrong');
      }
      await session.destroy();
      return { times, backend: session.backend };
    },
    { url: `${served.origin}/slice.onnx`, sha256, runs, warmup: WARMUP },
  );
  const worker = await currentWorker(browser.context);
  const inWorker = (await worker.evaluate((n) => performance.getEntriesByName('kiln:run', 'measure').slice(-n).map((e) => e.duration), runs)) as number[];
  const transport = f.times.map((t, k) => t - inWorker[k]);
  const report = {
    date: new Date().toISOString(),
    chromium: browser.context.browser()?.version(),
    runs,
    input_bytes: 602_112,
    output_bytes: 4_000,
    page_p50_ms: median(f.times),
    worker_p50_ms: median(inWorker),
    transport_p50_ms: median(transport),
    transport_min_ms: Math.min(...transport),
  };
  console.log(`page → worker → page, 602,112 bytes in and 4,000 out (${f.backend}), ${runs} runs after ${WARMUP}, in ${report.chromium}`);
  console.log(`  as the page sees it p50 ${report.page_p50_ms.toFixed(2)} ms; in the worker p50 ${report.worker_p50_ms.toFixed(2)} ms`);
  console.log(`  transport p50 ${report.transport_p50_ms.toFixed(2)} ms, min ${report.transport_min_ms.toFixed(2)} ms (target ≤ 3 ms)`);
  if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 1));
} finally {
  await browser.close();
  await served.close();
  rmSync(site, { recursive: true, force: true });
}
process.exit(0);
