// `npm run build:wasm`: compiles the WebAssembly kernels unconditionally. A script of its own, so
// that bundling cli/node-wasm.ts into another entry point (the GPU bench) never runs the build.

import { statSync } from 'node:fs';
import { buildKernels, KERNELS_WASM } from './node-wasm';

await buildKernels();
console.log(`built ${KERNELS_WASM} (${statSync(KERNELS_WASM).size} bytes)`);
