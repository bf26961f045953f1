// The WebAssembly kernels inside the extension: the build copies the compiled module into
// dist/wasm/, and the service worker fetches it from its own package (import() is forbidden in
// service workers, so the module is compiled from bytes with WebAssembly.compile).

import { kernelsFile, type WasmSource } from '../runtime/backends/wasm/module';

/**
 * Where the packaged kernels are: fetched on first use, compiled once per worker lifetime. Both
 * builds ship; the worker takes the relaxed-SIMD one where the engine runs it.
 */
export const packagedWasmKernels: WasmSource = () => fetch(chrome.runtime.getURL(`wasm/${kernelsFile()}`));

