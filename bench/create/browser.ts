// `npm run bench:create:browser [-- --runs N] [--backend wasm|webgpu] [--json FILE]`: session
// creation in the extension without and with the compiled-model cache. One headless Chromium with
// the built extension; MobileNetV2 served from a local server and installed once
// (`kiln.create({url, sha256})`, the grant prompt answered "Always allow"). Then, alternated:
//  - cold: the compiled-model cache emptied, the service worker stopped (CDP), `kiln.create`;
//  - warm: the plans the cold create stored, the worker stopped again, `kiln.create`;
//  - live: right after the warm one was destroyed, another `kiln.create` while that worker lives
//    (a page reloaded: the worker holds the compiled model and the released plan's memory).
// Each create is timed twice: by the worker ('kiln:create' measures: reading the store, compiling
// or restoring) and by the page (plus waking a stopped worker and the messages). Needs
// `npm run build` first.

/// <reference path="../../types/kiln.d.ts" />
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { clearCompiled, compiledEntries, currentWorker, launchWithExtension, servePage } from '../../e2e/browser';
import { workerControl } from '../../e2e/worker-control';
import { median } from '../median';

const ROOT = join(import.meta.dirname, '../..');
const MODEL = join(ROOT, '../shared/models/mobilenet_v2.onnx');

const { values } = parseArgs({ options: { runs: { type: 'string' }, backend: { type: 'string' }, json: { type: 'string' } } });
const runs = Number(values.runs ?? 7);
const backend = values.backend ?? 'wasm';

const site = mkdtempSync(join(tmpdir(), 'kiln-create-bench-'));
writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><title>Kiln create bench</title>');
symlinkSync(MODEL, join(site, 'model.onnx'));
const served = await servePage(site);
const browser = await launchWithExtension({ webgpu: backend === 'webgpu', prompts: 'always' });
const url = `${served.origin}/model.onnx`;
const sha256 = createHash('sha256').update(readFileSync(MODEL)).digest('hex');

/** Runs `fn` in the extension's current service worker. */
async function inWorker<T>(fn: () => Promise<T> | T): Promise<T> {
  return (await currentWorker(browser.context)).evaluate(fn);
}

async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  for (const started = Date.now(); !(await check()); await new Promise((r) => setTimeout(r, 50))) {
    if (Date.now() - started > 60_000) throw new Error(`timed out waiting for ${what}`);
  }
}

try {
  const worker = await workerControl(browser);
  const page = await browser.context.newPage();
  await page.goto(served.url);
  // install (download, verify, store) and compile once
  await page.evaluate(async ({ url, sha256, backend }) => {
    await (await window.kiln.create({ url, sha256 }, { backend })).destroy();
  }, { url, sha256, backend });
  await until('the first plans to be stored', async () => (await compiledEntries(browser.context)) > 0);

  /** One create (after a worker stop unless `live`): the page's time, the worker's measure and where it came from. */
  const createOnce = async (live = false) => {
    if (!live) await worker.stop();
    const page_ms = await page.evaluate(async ({ url, sha256, backend }) => {
      const t = performance.now();
      const s = await window.kiln.create({ url, sha256 }, { backend });
      const ms = performance.now() - t;
      await s.destroy();
      return ms;
    }, { url, sha256, backend });
    const m = (await inWorker(() => performance.getEntriesByName('kiln:create', 'measure').map((e) => ({ ms: e.duration, source: (e as PerformanceMeasure).detail.source as string })))).at(-1)!;
    return { page_ms, worker_ms: m.ms, source: m.source };
  };
  const cold: Awaited<ReturnType<typeof createOnce>>[] = [], warm: typeof cold = [], live: typeof cold = [];
  for (let i = 0; i < runs; i++) {
    await clearCompiled(browser.context);
    cold.push(await createOnce());
    await until('the plans to be stored', async () => (await compiledEntries(browser.context)) > 0);
    warm.push(await createOnce());
    live.push(await createOnce(true));
  }
  const wrong = [...cold.filter((c) => c.source !== 'compiled'), ...[...warm, ...live].filter((w) => w.source !== 'cache')];
  if (wrong.length) throw new Error(`a create came from the wrong place: ${JSON.stringify(wrong)}`);
  const med = (xs: typeof cold, k: 'page_ms' | 'worker_ms') => median(xs.map((x) => x[k]));
  const summary = {
    date: new Date().toISOString(), chromium: browser.context.browser()?.version(), backend, model: 'mobilenet_v2.onnx', runs,
    cold: { worker_ms: med(cold, 'worker_ms'), page_ms: med(cold, 'page_ms') },
    warm: { worker_ms: med(warm, 'worker_ms'), page_ms: med(warm, 'page_ms') },
    live: { worker_ms: med(live, 'worker_ms'), page_ms: med(live, 'page_ms') },
    warm_over_cold: { worker: med(warm, 'worker_ms') / med(cold, 'worker_ms'), page: med(warm, 'page_ms') / med(cold, 'page_ms') },
    live_over_cold: { worker: med(live, 'worker_ms') / med(cold, 'worker_ms'), page: med(live, 'page_ms') / med(cold, 'page_ms') },
    rounds: { cold, warm, live },
  };
  console.log(`MobileNetV2 on ${backend} in the extension, ${runs} rounds, cold and warm creates each after a worker stop (medians), ${summary.chromium}:`);
  console.log(`  cold create: ${summary.cold.worker_ms.toFixed(1)} ms in the worker, ${summary.cold.page_ms.toFixed(1)} ms as the page sees it`);
  console.log(`  warm create from the compiled-model cache: ${summary.warm.worker_ms.toFixed(1)} ms in the worker (${summary.warm_over_cold.worker.toFixed(2)} of cold), ${summary.warm.page_ms.toFixed(1)} ms as the page sees it (${summary.warm_over_cold.page.toFixed(2)})`);
  console.log(`  warm create while the worker lives: ${summary.live.worker_ms.toFixed(1)} ms in the worker (${summary.live_over_cold.worker.toFixed(2)} of cold), ${summary.live.page_ms.toFixed(1)} ms as the page sees it (${summary.live_over_cold.page.toFixed(2)})`);
  if (values.json) writeFileSync(values.json, JSON.stringify(summary, null, 1));
} finally {
  await browser.close();
  await served.close();
  rmSync(site, { recursive: true, force: true });
}
process.exit(0);
