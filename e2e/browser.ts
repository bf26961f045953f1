// Test and demo helpers: launch the system Chromium with the built extension loaded (headless by
// default, flags from TESTING.md), and serve pages on 127.0.0.1 so that they are real origins.

import { chromium, type BrowserContext, type Worker } from 'playwright-core';
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

function isExtensionWorker(w: Worker): boolean {
  return w.url().startsWith('chrome-extension://');
}

/** The extension's current service worker (a new one after the old was stopped and woke again). */
export async function currentWorker(context: BrowserContext, timeoutMs = 30_000): Promise<Worker> {
  const live = context.serviceWorkers().filter(isExtensionWorker);
  if (live.length > 0) return live[live.length - 1];
  return context.waitForEvent('serviceworker', { predicate: isExtensionWorker, timeout: timeoutMs });
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
      res.writeHead(200, { ...headers, 'Content-Type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream' });
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
