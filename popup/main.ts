// The popup: installed and built-in models (benchmark with a latency chart, recompile, delete),
// storage used and available, install from a file or a URL with a progress bar, the sites' stored
// permissions (revoke), and the device (WebGPU adapter, WASM SIMD). Plain DOM, no framework. The
// popup is an extension page on the extension's origin: it reads and edits the store (IndexedDB)
// directly, and asks the worker for what only the worker knows (open sessions) or does (URL
// downloads, deleting a model it may hold in memory, compiling, running).

import { CATALOG } from '../models/catalog';
import type { ModelStatus } from '../protocol';
import { askWorker } from '../protocol/popup-client';
import { openKilnDb, type GrantRecord, type KilnDb } from '../background/store/db';
import { GrantStore } from '../background/store/grants';
import { ModelStore, type ModelInfo } from '../background/store/models';
import { latencyChart, ms, summarize } from './chart';
import { featuresLine, probeGpu } from './device';
import { relaxedSimdSupported, simdSupported } from '../runtime/backends/wasm/module';
import { formatSize, sessionsLabel, sourceLabel, timeAgo } from './format';
import { cancelUrlInstall, fileProblem, installFile, installUrl, urlFormProblem, type Progress } from './install';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const statusLine = $<HTMLParagraphElement>('status');
const modelList = $<HTMLUListElement>('models');
const siteList = $<HTMLUListElement>('sites');
const progressBox = $<HTMLDivElement>('install-progress-box');
const progressBar = $<HTMLProgressElement>('install-progress');
const progressText = $<HTMLParagraphElement>('install-progress-text');
const fileInput = $<HTMLInputElement>('install-file');
const dropZone = $<HTMLLabelElement>('drop-zone');
const urlForm = $<HTMLFormElement>('install-url-form');
const urlInput = $<HTMLInputElement>('install-url');
const shaInput = $<HTMLInputElement>('install-sha256');
const urlButton = $<HTMLButtonElement>('install-url-button');
const cancelButton = $<HTMLButtonElement>('install-cancel');

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function meta(label: string, value: string, className: string): Node[] {
  return [el('dt', { textContent: label }), el('dd', { textContent: value, className })];
}

function say(message: string, kind: 'info' | 'error' = 'info'): void {
  statusLine.textContent = message;
  statusLine.dataset.kind = kind;
}

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

let db: Promise<KilnDb> | undefined;
const stores = async () => {
  db ??= openKilnDb();
  const d = await db;
  return { models: new ModelStore(d), grants: new GrantStore(d) };
};

// ---- models ----

/** A button of a model's action row, labelled with the model's name for screen readers. */
function action(className: string, text: string, label: string, run: (button: HTMLButtonElement) => Promise<void>): HTMLButtonElement {
  const b = el('button', { type: 'button', className, textContent: text });
  b.setAttribute('aria-label', label);
  b.addEventListener('click', () => void run(b));
  return b;
}

function installedItem(m: ModelInfo, sessions: number): HTMLLIElement {
  const badge = sessionsLabel(sessions);
  const bench = el('div', { className: 'model-bench' });
  bench.setAttribute('aria-live', 'polite');
  const item = el(
    'li',
    { className: 'model' },
    el('div', { className: 'model-head' }, el('h3', { className: 'model-name', textContent: m.name, title: m.id }), ...(badge ? [el('span', { className: 'badge', textContent: badge })] : [])),
    el(
      'dl',
      { className: 'model-meta' },
      ...meta('task', m.task ?? 'task unknown', 'model-task'),
      ...meta('size', formatSize(m.size), 'model-size'),
      ...meta('source', sourceLabel(m.source), 'model-source'),
      ...meta('format', m.format.toUpperCase(), 'model-format'),
      ...meta('compiled for', m.backends.length > 0 ? `compiled: ${m.backends.join(', ')}` : 'not compiled yet', 'model-backends'),
      ...meta('last used', `used ${timeAgo(m.lastUsed)}`, 'model-used'),
    ),
    el(
      'div',
      { className: 'model-actions' },
      action('benchmark', 'Benchmark', `Benchmark ${m.name}`, (b) => benchmark(m, b, bench)),
      action('recompile', 'Recompile', `Recompile ${m.name}`, (b) => recompile(m, b)),
      action('delete', 'Delete', `Delete ${m.name} (${formatSize(m.size)})`, (b) => removeModel(m, b)),
    ),
    bench,
  );
  (item.querySelector('.model-source') as HTMLElement).title = m.source.detail;
  item.dataset.model = m.id;
  item.dataset.installed = '';
  return item;
}

function builtInItem(id: string, sessions: number): HTMLLIElement {
  const m = CATALOG.find((c) => c.id === id)!;
  const badge = sessionsLabel(sessions);
  const item = el(
    'li',
    { className: 'model', title: m.description },
    el('div', { className: 'model-head' }, el('h3', { className: 'model-name', textContent: m.name }), ...(badge ? [el('span', { className: 'badge', textContent: badge })] : [])),
    el('dl', { className: 'model-meta' }, ...meta('task', m.task, 'model-task'), ...meta('size', formatSize(m.bytes), 'model-size'), ...meta('state', 'built in, installs on first use', 'model-state')),
  );
  item.dataset.model = m.id;
  return item;
}

async function showModels(): Promise<void> {
  const { models } = await stores();
  const [installed, statuses] = await Promise.all([
    models.list(),
    askWorker({ kind: 'models.status' }).then(
      (r) => r.models,
      () => [] as readonly ModelStatus[],
    ),
  ]);
  const sessions = (id: string) => statuses.find((s) => s.id === id)?.sessions ?? 0;
  installed.sort((a, b) => b.lastUsed - a.lastUsed || a.name.localeCompare(b.name));
  const ids = new Set(installed.map((m) => m.id));
  modelList.replaceChildren(...installed.map((m) => installedItem(m, sessions(m.id))), ...CATALOG.filter((c) => !ids.has(c.id)).map((c) => builtInItem(c.id, sessions(c.id))));
}

/** Work on the worker's side can take a while: compiling on a slow GPU, twenty runs. */
const LONG_MS = 300_000;

async function benchmark(m: ModelInfo, button: HTMLButtonElement, out: HTMLElement): Promise<void> {
  button.disabled = true;
  say(`Benchmarking ${m.name}…`);
  out.replaceChildren(el('p', { className: 'bench-text', textContent: 'running…' }));
  try {
    const r = await askWorker({ kind: 'models.benchmark', model: m.id }, LONG_MS);
    const s = summarize(r.times);
    const text = `median ${ms(s.p50)} ms · fastest ${ms(s.min)} · slowest ${ms(s.max)} ms · ${s.runs} runs on ${r.backend}`;
    out.replaceChildren(el('p', { className: 'bench-text', textContent: text, title: `input ${r.input}` }), latencyChart(r.times));
    out.dataset.backend = r.backend;
    say(`${m.name}: median ${ms(s.p50)} ms on ${r.backend}.`);
  } catch (e) {
    out.replaceChildren();
    say(`Could not benchmark ${m.name}: ${messageOf(e)}`, 'error');
  }
  button.disabled = false;
}

async function recompile(m: ModelInfo, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  say(`Recompiling ${m.name}…`);
  try {
    const { backends } = await askWorker({ kind: 'models.recompile', model: m.id }, LONG_MS);
    say(backends.length ? `Recompiled ${m.name} for ${backends.join(', ')}.` : `${m.name} runs on the reference executor here: nothing to compile.`);
  } catch (e) {
    say(`Could not recompile ${m.name}: ${messageOf(e)}`, 'error');
  }
  await refresh(false);
}

async function removeModel(m: ModelInfo, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    // through the worker: it may hold the model's bytes in memory
    await askWorker({ kind: 'models.delete', model: m.id });
    say(`Deleted ${m.name}: ${formatSize(m.size)} freed.`);
  } catch (e) {
    say(`Could not delete ${m.name}: ${messageOf(e)}`, 'error');
  }
  await refresh(false);
  // keep keyboard focus in the list
  (modelList.querySelector('button') ?? $<HTMLButtonElement>('refresh')).focus();
}

// ---- storage ----

async function showStorage(): Promise<void> {
  const { models } = await stores();
  const usage = await models.usage();
  const line = $<HTMLSpanElement>('storage-models');
  line.dataset.bytes = String(usage.models);
  line.dataset.compiled = String(usage.compiled);
  line.textContent = `Models ${formatSize(usage.models)} · compiled ${formatSize(usage.compiled)}.`;
  const browser = $<HTMLSpanElement>('storage-browser');
  try {
    const est = await navigator.storage.estimate();
    const free = est.quota !== undefined && est.usage !== undefined ? est.quota - est.usage : undefined;
    browser.textContent = free === undefined ? 'The browser does not say how much space is left.' : `The browser reports ${formatSize(free)} available (${formatSize(est.usage ?? 0)} used by Kiln in all).`;
  } catch (e) {
    browser.textContent = `The browser's estimate failed: ${messageOf(e)}`;
  }
}

// ---- sites ----

function siteItem(g: GrantRecord): HTMLLIElement {
  const revoke = el('button', { type: 'button', className: 'revoke', textContent: 'Revoke' });
  revoke.setAttribute('aria-label', `Revoke ${g.origin}'s ${g.decision === 'always' ? 'permission' : 'refusal'} for ${g.modelId}`);
  revoke.addEventListener('click', () => void revokeGrant(g, revoke));
  const item = el(
    'li',
    { className: 'site' },
    el('div', { className: 'site-text' }, el('span', { className: 'site-origin', textContent: g.origin }), el('span', { className: 'site-model', textContent: `${g.modelId} · ` }, el('span', { className: 'site-decision', textContent: g.decision === 'always' ? 'always' : 'denied' }), ` · ${timeAgo(g.decidedAt)}`)),
    revoke,
  );
  item.dataset.origin = g.origin;
  item.dataset.model = g.modelId;
  item.dataset.decision = g.decision;
  return item;
}

async function showSites(): Promise<void> {
  const { grants } = await stores();
  const list = await grants.list();
  siteList.replaceChildren(...list.map(siteItem));
  $<HTMLParagraphElement>('sites-empty').hidden = list.length > 0;
}

async function revokeGrant(g: GrantRecord, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const { grants } = await stores();
    await grants.revoke(g.origin, g.modelId);
    say(`${g.origin} will be asked again before it uses ${g.modelId}.`);
  } catch (e) {
    say(`Could not revoke: ${messageOf(e)}`, 'error');
  }
  await showSites();
  (siteList.querySelector('button') ?? $<HTMLButtonElement>('refresh')).focus();
}

// ---- device ----

async function showDevice(): Promise<void> {
  const simd = simdSupported();
  const simdCell = $<HTMLElement>('device-simd');
  simdCell.textContent = simd ? (relaxedSimdSupported() ? 'yes, relaxed SIMD too (fused multiply-adds)' : 'yes') : 'no (Kiln runs models slower, or on WebGPU only)';
  simdCell.dataset.ok = String(simd);
  const gpu = await probeGpu();
  const cell = $<HTMLElement>('device-webgpu');
  cell.dataset.ok = String(gpu.ok);
  if (!gpu.ok) {
    cell.textContent = gpu.summary;
    return;
  }
  const limits = el('ul', { className: 'limits' }, ...gpu.limits.map(([n, v]) => el('li', { textContent: `${n}: ${/Size$/.test(n) ? formatSize(v) : v}` })));
  cell.replaceChildren(el('span', { className: 'adapter', textContent: gpu.summary }), limits, el('span', { className: 'features', textContent: `features: ${featuresLine(gpu.features)}`, title: gpu.features.join(', ') }));
}

// ---- installing ----

let installing: AbortController | undefined;

const showProgress: Progress = (loaded, total, phase) => {
  progressBox.hidden = false;
  if (total > 0) {
    progressBar.max = total;
    progressBar.value = Math.min(loaded, total);
    const pct = Math.floor((100 * Math.min(loaded, total)) / total);
    progressText.textContent = `${phase} ${pct} % (${formatSize(loaded)} of ${formatSize(total)})`;
    progressBar.dataset.percent = String(pct);
  } else {
    progressBar.removeAttribute('value'); // indeterminate
    progressText.textContent = `${phase} ${formatSize(loaded)}`;
  }
  progressBar.dataset.updates = String(Number(progressBar.dataset.updates ?? 0) + 1);
};

/** What an install says when it is done, and the model it installed (to compile), if it is new. */
interface Installed {
  readonly said: string;
  readonly model?: string;
}

async function runInstall(what: string, work: (signal: AbortSignal) => Promise<Installed>): Promise<void> {
  if (installing) {
    say('An install is already running: wait for it or cancel it.', 'error');
    return;
  }
  installing = new AbortController();
  urlButton.disabled = true;
  fileInput.disabled = true;
  cancelButton.hidden = false;
  progressBar.dataset.updates = '0';
  progressBar.dataset.percent = '0';
  progressBar.value = 0;
  progressBox.hidden = false;
  progressText.textContent = `Installing ${what}…`;
  say(`Installing ${what}…`);
  let done: Installed | undefined;
  try {
    done = await work(installing.signal);
    say(done.said);
  } catch (e) {
    const aborted = e instanceof DOMException && e.name === 'AbortError';
    say(aborted ? `Cancelled the install of ${what}.` : `Could not install ${what}: ${messageOf(e)}`, 'error');
    progressText.textContent = aborted ? 'cancelled' : 'failed';
  } finally {
    installing = undefined;
    urlCancel = undefined;
    urlButton.disabled = false;
    fileInput.disabled = false;
    cancelButton.hidden = true;
    fileInput.value = '';
    await refresh(false);
  }
  if (done?.model) await prepare(done.model, done.said);
}

/**
 * Has the worker compile a model just installed for this device (it goes on if the popup closes),
 * so that a page's first create finds it compiled instead of compiling it then.
 */
async function prepare(model: string, installed: string): Promise<void> {
  say(`${installed} Compiling it for this device…`);
  try {
    const { backends } = await askWorker({ kind: 'models.prepare', model }, LONG_MS);
    say(backends.length ? `${installed} Compiled for ${backends.join(', ')}.` : `${installed} It compiles when a page first runs it.`);
  } catch (e) {
    say(`${installed} Could not compile it yet: ${messageOf(e)}`, 'error');
  }
  await refresh(false);
}

function installFromFile(file: File): void {
  const problem = fileProblem(file);
  if (problem) {
    say(`Could not install: ${problem}.`, 'error');
    return;
  }
  void runInstall(file.name, async (signal) => {
    const { models } = await stores();
    const { info, existed } = await installFile(models, file, showProgress, signal);
    return existed ? { said: `${info.name} is already installed.` } : { said: `Installed ${info.name} (${formatSize(info.size)}).`, model: info.id };
  });
}

fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  if (file) installFromFile(file);
});

for (const type of ['dragenter', 'dragover'] as const) {
  dropZone.addEventListener(type, (e) => {
    e.preventDefault();
    dropZone.dataset.over = '';
  });
}
dropZone.addEventListener('dragleave', () => delete dropZone.dataset.over);
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  delete dropZone.dataset.over;
  const file = e.dataTransfer?.files[0];
  if (file) installFromFile(file);
});

urlForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const problem = urlFormProblem(urlInput.value, shaInput.value);
  if (problem) {
    say(problem, 'error');
    urlInput.setAttribute('aria-invalid', 'true');
    urlInput.focus();
    return;
  }
  urlInput.removeAttribute('aria-invalid');
  const url = urlInput.value;
  const sha = shaInput.value;
  void runInstall(url, async (signal) => {
    // the worker's download outlives the popup: Cancel has to tell it
    urlCancel = () => void cancelUrlInstall(url, sha).catch(() => undefined);
    const r = await installUrl(url, sha, showProgress, signal);
    urlInput.value = '';
    shaInput.value = '';
    return { said: `Installed ${r.name} (${formatSize(r.bytes)}).`, model: r.id };
  });
});

/** what Cancel must also do for the install running now (a URL one: tell the worker) */
let urlCancel: (() => void) | undefined;
cancelButton.addEventListener('click', () => {
  urlCancel?.();
  installing?.abort();
});

// ---- all of it ----

async function refresh(withDevice: boolean): Promise<void> {
  const parts: [string, Promise<void>][] = [
    ['models', showModels()],
    ['storage', showStorage()],
    ['sites', showSites()],
  ];
  if (withDevice) parts.push(['device', showDevice()]);
  const failed: string[] = [];
  for (const [name, p] of parts) await p.catch((e) => failed.push(`${name}: ${messageOf(e)}`));
  if (failed.length > 0) say(`Could not read ${failed.join('; ')}`, 'error');
  document.body.dataset.ready = '';
}

$<HTMLButtonElement>('refresh').addEventListener('click', () => {
  say('');
  void refresh(true);
});
void refresh(true);
