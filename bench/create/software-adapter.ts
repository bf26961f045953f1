// `npm run build && npx tsx bench/create/software-adapter.ts`: what each backend costs a page
// where the only WebGPU adapter is software (SwiftShader here, the CPU emulating a GPU): one
// headless Chromium with the built extension; MobileNetV2 installed once from a local server, then
// created cold (compiled-model cache emptied, worker stopped) and run six times on 'auto', 'wasm',
// 'webgpu' and 'auto' again. Prints the backend each session ran on, the creation, the first run
// and the median of the next five, as the page sees them.

/// <reference path="../../types/kiln.d.ts" />
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearCompiled, launchWithExtension, servePage } from '../../e2e/browser';
import { workerControl } from '../../e2e/worker-control';

const MODEL = join(import.meta.dirname, '../../../shared/models/mobilenet_v2.onnx');

const site = mkdtempSync(join(tmpdir(), 'kiln-software-adapter-'));
writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><title>Kiln on a software adapter</title>');
symlinkSync(MODEL, join(site, 'model.onnx'));
const served = await servePage(site);
const browser = await launchWithExtension({ webgpu: true, prompts: 'always' });
const url = `${served.origin}/model.onnx`;
const sha256 = createHash('sha256').update(readFileSync(MODEL)).digest('hex');

try {
  const worker = await workerControl(browser);
  const page = await browser.context.newPage();
  await page.goto(served.url);
  // install once (download, verify, store), on the backend that compiles nothing
  await page.evaluate(async ({ url, sha256 }) => {
    await (await window.kiln.create({ url, sha256 }, { backend: 'reference' })).destroy();
  }, { url, sha256 });
  console.log('MobileNetV2, cold creates in the extension, WebGPU adapter: software (SwiftShader); ms as the page sees them');
  for (const backend of ['auto', 'wasm', 'webgpu', 'auto']) {
    await clearCompiled(browser.context);
    await worker.stop();
    const r = await page.evaluate(async ({ url, sha256, backend }) => {
      const t0 = performance.now();
      const s = await window.kiln.create({ url, sha256 }, { backend });
      const t1 = performance.now();
      const data = new Float32Array(3 * 224 * 224).map((_, i) => (i % 255) / 255);
      const feeds = { [s.inputs[0].name]: { type: 'float32' as const, dims: [1, 3, 224, 224], data } };
      await s.run(feeds);
      const t2 = performance.now();
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await s.run(feeds);
        times.push(performance.now() - t);
      }
      const ran = s.backend;
      await s.destroy();
      return { ran, create: t1 - t0, first: t2 - t1, median: times.sort((a, b) => a - b)[2] };
    }, { url, sha256, backend });
    console.log(`  asked ${backend.padEnd(6)} ran on ${r.ran.padEnd(6)} create ${r.create.toFixed(0).padStart(5)}  first run ${r.first.toFixed(0).padStart(5)}  next five, median ${r.median.toFixed(1).padStart(7)}`);
  }
} finally {
  await browser.close();
  await served.close();
  rmSync(site, { recursive: true, force: true });
}
process.exit(0);
