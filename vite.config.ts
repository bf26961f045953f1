// Builds the extension into dist/ with @crxjs/vite-plugin: module service worker, both content
// scripts as standalone IIFEs (no loader importing web-accessible chunks: the MAIN-world one must
// work under any page CSP, and the relay must run synchronously at document_start for the
// handshake), the popup and the grant prompt window, the catalog models copied from node_modules, and the WebAssembly
// kernels (built from their AssemblyScript sources when stale) copied into dist/wasm/.

import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import manifest from './manifest.json' with { type: 'json' };
import { copyModels } from './models/copy-models';
import { ensureKernels } from './cli/node-wasm';
import { compilerVersion } from './cli/compiler-version';
import { copyFileSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** Copies the catalog's ONNX files (sha256-checked) into dist/models/ after each build. */
function catalogModels(): Plugin {
  let outDir = 'dist';
  return {
    name: 'kiln:catalog-models',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      copyModels(outDir);
    },
  };
}

/** Copies the WebAssembly kernels (both builds) into dist/wasm/, where the service worker fetches one. */
function wasmKernels(): Plugin {
  let outDir = 'dist';
  let built: string[] = [];
  return {
    name: 'kiln:wasm-kernels',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    async buildStart() {
      const { plain, relaxed } = await ensureKernels();
      built = [plain, relaxed];
    },
    closeBundle() {
      mkdirSync(join(outDir, 'wasm'), { recursive: true });
      for (const f of built) copyFileSync(f, join(outDir, 'wasm', basename(f)));
    },
  };
}

export default defineConfig({
  // compiled models in the store are reused only by the compiler that made them (runtime/compiled.ts)
  define: { __KILN_COMPILER_VERSION__: JSON.stringify(compilerVersion(here('.'))) },
  plugins: [
    crx({
      manifest: manifest as ManifestV3Export,
      contentScripts: { standaloneFiles: ['content/page-api.ts', 'content/relay.ts'] },
    }),
    catalogModels(),
    wasmKernels(),
  ],
  resolve: {
    // protobufjs's util.inquire evals "require"; under the MV3 CSP even the attempt is a violation.
    alias: { '@protobufjs/inquire': here('./background/shims/inquire.cjs') },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'chrome122',
    sourcemap: true,
    minify: false,
    // extension pages the manifest does not name: the grant prompt window, the fast lane's frame
    rollupOptions: { input: { prompt: here('./prompt/index.html'), lane: here('./lane/frame.html') } },
  },
});
