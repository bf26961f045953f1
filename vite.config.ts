// Builds the extension into dist/ with @crxjs/vite-plugin: module service worker, both content
// scripts as standalone IIFEs (no loader importing web-accessible chunks: the MAIN-world one must
// work under any page CSP, and the relay must run synchronously at document_start for the
// handshake), the popup, and the catalog models copied from node_modules.

import { crx, type ManifestV3Export } from '@crxjs/vite-plugin';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import manifest from './manifest.json' with { type: 'json' };
import { copyModels } from './models/copy-models';

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

export default defineConfig({
  plugins: [
    crx({
      manifest: manifest as ManifestV3Export,
      contentScripts: { standaloneFiles: ['content/page-api.ts', 'content/relay.ts'] },
    }),
    catalogModels(),
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
  },
});
