// The WebAssembly kernels inside the extension: the build copies the compiled module into
// dist/wasm/, and the service worker fetches it from its own package (import() is forbidden in
// service workers, so the module is compiled from bytes with WebAssembly.compile).

import { kernelsFile, type WasmSource } from '../runtime/backends/wasm/module';

/**
 * Where the packaged kernels are: fetched on first use, compiled once per worker lifetime. Both
 * builds ship; the worker takes the relaxed-SIMD one where the engine runs it.
 */
export const packagedWasmKernels: WasmSource = () => fetch(chrome.runtime.getURL(`wasm/${kernelsFile()}`));

/** The smallest module using a v128 (wasm-feature-detect's SIMD probe): valid where SIMD128 is. */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

export function wasmSimdSupported(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
