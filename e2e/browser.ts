// Test and demo helpers: launch the system Chromium with the built extension loaded (headless by
// default, flags from TESTING.md), and serve pages on 127.0.0.1 so that they are real origins.

import { chromium, type BrowserContext, type Page, type Worker } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface LaunchOptions {
  /** default true; false opens a window (needs a display) */
  headless?: boolean;
  /** the unpacked extension folder; default <project>/dist */
  extensionDir?: string;
  /** default true; false launches with WebGPU disabled (no adapter), as on machines that lack it */
  webgpu?: boolean;
  /**
   * How the grant prompt windows are answered: 'always' (default, for the tests that are not about
   * grants: the user allows every site), or 'manual' (the test answers them: nextPrompt()).
   */
  prompts?: 'always' | 'manual';
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** the extension's background service worker, as Playwright sees it */
  worker: Worker;
  extensionId: string;
  /** closes the browser and removes its temporary profile */
  close(): Promise<void>;
}

/** The Chromium binary: $CHROME_PATH first, then Debian's /usr/bin/chromium. */
export function chromePath(): string {
  return process.env.CHROME_PATH || '/usr/bin/chromium';
}

export async function launchWithExtension(options: LaunchOptions = {}): Promise<LaunchedBrowser> {
  const headless = options.headless ?? true;
  const extensionDir = resolve(options.extensionDir ?? join(projectRoot, 'dist'));
  try {
    statSync(join(extensionDir, 'manifest.json'));
  } catch {
    throw new Error(`no built extension at ${extensionDir} (run \`npm run build\` first)`);
  }
  const userDataDir = mkdtempSync(join(tmpdir(), 'kiln-chromium-'));
  const webgpu = options.webgpu ?? true;
  const args = [
    ...(headless ? ['--headless=new'] : []),
    '--no-sandbox',
    '--disable-gpu-sandbox',
    ...(webgpu
      ? ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader']
      : ['--disable-features=WebGPU,Vulkan', '--disable-gpu']),
    '--disable-background-networking',
    '--disable-component-update',
    // for experiments, e.g. KILN_EXTRA_FLAGS='--js-flags=--no-liftoff' (see docs/BENCHMARKS.md)
    ...(process.env.KILN_EXTRA_FLAGS ? process.env.KILN_EXTRA_FLAGS.split(' ') : []),
    '--disable-sync',
    '--no-first-run',
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
  ];
  let context: BrowserContext;
  try {
    // Playwright's own `headless` switch would add the old headless mode: pass --headless=new ourselves.
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromePath(),
      headless: false,
      args,
      ignoreDefaultArgs: ['--disable-extensions', '--disable-component-extensions-with-background-pages'],
    });
  } catch (e) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
  const worker = context.serviceWorkers().find(isExtensionWorker) ?? (await context.waitForEvent('serviceworker', { predicate: isExtensionWorker, timeout: 30_000 }));
  const extensionId = new URL(worker.url()).host;
  if ((options.prompts ?? 'always') === 'always') {
    context.on('page', (page) => void answerIfPrompt(page, 'always'));
  } else {
    const queue = new PromptQueue();
    promptQueues.set(context, queue);
    context.on('page', (page) => void queue.offer(page));
  }
  return {
    context,
    worker,
    extensionId,
    async close() {
      await context.close().catch(() => undefined);
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

const isPrompt = (page: Page) => /^chrome-extension:\/\/[^/]+\/prompt\/index\.html/.test(page.url());

async function answerIfPrompt(page: Page, answer: 'always' | 'once' | 'deny'): Promise<void> {
  await page.waitForLoadState('domcontentloaded').catch(() => undefined);
  if (isPrompt(page)) await answerPrompt(page, answer).catch(() => undefined);
}

/** Clicks one of the prompt's answers; the worker closes the window at once, which is fine. */
export async function answerPrompt(page: Page, answer: 'always' | 'once' | 'deny'): Promise<void> {
  try {
    await page.click(`#${answer}:not([disabled])`, { noWaitAfter: true });
  } catch (e) {
    if (!page.isClosed()) throw e;
  }
}

/** Prompt windows in the order they opened, for tests that answer them ('manual' launches). */
class PromptQueue {
  private readonly ready: Page[] = [];
  private readonly waiting: ((p: Page) => void)[] = [];

  async offer(page: Page): Promise<void> {
    await page.waitForLoadState('domcontentloaded').catch(() => undefined);
    if (!isPrompt(page)) return;
    // the details arrive from the worker: wait until the origin is filled in
    await page.waitForFunction(() => document.getElementById('origin')?.textContent !== '…').catch(() => undefined);
    const waiter = this.waiting.shift();
    if (waiter) waiter(page);
    else this.ready.push(page);
  }

  next(timeoutMs: number): Promise<Page> {
    const page = this.ready.shift();
    if (page) return Promise.resolve(page);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no grant prompt opened within ${timeoutMs} ms`)), timeoutMs);
      this.waiting.push((p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
  }
}

const promptQueues = new WeakMap<BrowserContext, PromptQueue>();

/** The next grant prompt window (launched with prompts: 'manual'), loaded and showing its request. */
export function nextPrompt(context: BrowserContext, timeoutMs = 30_000): Promise<Page> {
  const queue = promptQueues.get(context);
  if (!queue) throw new Error("nextPrompt needs a browser launched with prompts: 'manual'");
  return queue.next(timeoutMs);
}

function isExtensionWorker(w: Worker): boolean {
  return w.url().startsWith('chrome-extension://');
}

/** The extension's current service worker (a new one after the old was stopped and woke again). */
export async function currentWorker(context: BrowserContext, timeoutMs = 30_000): Promise<Worker> {
  const live = context.serviceWorkers().filter(isExtensionWorker);
  if (live.length > 0) return live[live.length - 1];
  return context.waitForEvent('serviceworker', { predicate: isExtensionWorker, timeout: timeoutMs });
}

/** Entries in the extension's compiled-model cache (its 'compiled' IndexedDB store), read in the worker. */
export async function compiledEntries(context: BrowserContext): Promise<number> {
  return (await currentWorker(context)).evaluate(() => new Promise<number>((resolve, reject) => {
    const open = indexedDB.open('kiln');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction('compiled').objectStore('compiled').count();
      count.onsuccess = () => {
        open.result.close();
        resolve(count.result);
      };
    };
  }));
}

/** Empties the extension's compiled-model cache (its worker's IndexedDB store), for benchmarks of cold creates. */
export async function clearCompiled(context: BrowserContext): Promise<void> {
  await (await currentWorker(context)).evaluate(() => new Promise<void>((resolve, reject) => {
    const open = indexedDB.open('kiln');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction('compiled', 'readwrite');
      tx.objectStore('compiled').clear();
      tx.oncomplete = () => (open.result.close(), resolve());
    };
  }));
}

export interface ServeOptions {
  /** a Content-Security-Policy header sent with every response */
  csp?: string;
  /** default 'index.html' (for a directory) */
  index?: string;
}

export interface ServedPage {
  /** http://127.0.0.1:PORT/ (the page itself when serving an HTML string) */
  url: string;
  origin: string;
  server: Server;
  close(): Promise<void>;
}

/** A strict CSP for tests: no inline scripts, no eval, nothing loaded from anywhere but self. */
export const STRICT_CSP = "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'";

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.onnx': 'application/octet-stream',
  '.wasm': 'application/wasm',
};

/**
 * Serves either one HTML page (`html` is markup: every path answers it) or a folder (`html` is an
 * existing directory path) on 127.0.0.1 with an ephemeral port.
 */
export async function servePage(htmlOrDir: string, options: ServeOptions = {}): Promise<ServedPage> {
  const isDir = !htmlOrDir.trimStart().startsWith('<') && isDirectory(htmlOrDir);
  const root = isDir ? resolve(htmlOrDir) : '';
  const server = createServer((req, res) => {
    const headers: Record<string, string> = { 'Cache-Control': 'no-store' };
    if (options.csp) headers['Content-Security-Policy'] = options.csp;
    if (!isDir) {
      res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES['.html'] });
      res.end(htmlOrDir);
      return;
    }
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403, headers).end('forbidden');
      return;
    }
    if (isDirectory(file)) file = join(file, options.index ?? 'index.html');
    try {
      const body = readFileSync(file);
      res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream', 'Content-Length': String(body.byteLength) });
      res.end(body);
    } catch {
      res.writeHead(404, headers).end('not found');
    }
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('servePage: no TCP address');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    url: `${origin}/`,
    origin,
    server,
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
