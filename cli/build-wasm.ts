// `npm run build:wasm`: compiles the WebAssembly kernels unconditionally (plain SIMD128 and relaxed SIMD). A script of its own, so
// that bundling cli/node-wasm.ts into another entry point (the GPU bench) never runs the build.

import { statSync } from 'node:fs';
import { buildAllKernels, KERNELS_WASM, RELAXED_KERNELS_WASM } from './node-wasm';

await buildAllKernels();
for (const f of [KERNELS_WASM, RELAXED_KERNELS_WASM]) console.log(`built ${f} (${statSync(f).size} bytes)`);
