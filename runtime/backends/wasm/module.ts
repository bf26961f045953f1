// Where the kernel module comes from. The runtime never reads files or knows the extension: the
// host says where the compiled kernels are (bytes read from disk in Node; in the extension's
// service worker, a fetch of the packaged .wasm, since import() is forbidden there). The module
// is compiled once per process or worker; every plan has an instance of it with its own linear
// memory (./instances.ts).

import type { KernelExports } from './exports';

/** The kernels' .wasm: its bytes, a fetch Response, a URL to fetch, or a function giving one. */
export type WasmSource =
  | BufferSource | Response | URL | string | WebAssembly.Module
  | (() => BufferSource | Response | WebAssembly.Module | Promise<BufferSource | Response | WebAssembly.Module>);

/** The file names the build writes and the extension ships: plain SIMD128, and with relaxed SIMD. */
export const KERNELS_FILE = 'kiln-kernels.wasm';
export const RELAXED_KERNELS_FILE = 'kiln-kernels-relaxed.wasm';

/** A module of one function returning a v128, its body `body` (without the locals' count and `end`). */
function probe(body: readonly number[]): Uint8Array<ArrayBuffer> {
  const code = [0x01, body.length + 2, 0x00, ...body, 0x0b];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
    0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, // one type: () -> v128
    0x03, 0x02, 0x01, 0x00, // one function of it
    0x0a, code.length, ...code,
  ]);
}

const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

function validates(bytes: Uint8Array<ArrayBuffer>): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(bytes);
  } catch {
    return false;
  }
}

/** Whether this engine runs SIMD128 (the kernels need it): a v128.const validates. */
export function simdSupported(): boolean {
  return validates(probe(V128_ZERO));
}

/**
 * Whether this engine runs relaxed SIMD: f32x4.relaxed_madd of three v128.const validates (Chrome
 * 114 on; Node 20 only with --experimental-wasm-relaxed-simd).
 */
export function relaxedSimdSupported(): boolean {
  return validates(probe([...V128_ZERO, ...V128_ZERO, ...V128_ZERO, 0xfd, 0x85, 0x02]));
}

/** The kernels' file for this engine: the relaxed build where it runs (fused multiply-adds), else plain SIMD128. */
export function kernelsFile(): string {
  return relaxedSimdSupported() ? RELAXED_KERNELS_FILE : KERNELS_FILE;
}

export class NoWasmKernelsError extends Error {
  override name = 'NoWasmKernelsError';
}

let provided: WasmSource | undefined;
const compiled = new Map<WasmSource, Promise<WebAssembly.Module>>();

/**
 * Says where the kernels are for every wasm session in this process or worker, and starts
 * compiling them now, so that the first session does not wait for it (a failure surfaces there).
 */
export function provideWasmKernels(source: WasmSource): void {
  provided = source;
  kernelModule(source).catch(() => undefined);
}

/** The compiled kernel module for `source` (or the provided one), compiled once. */
export function kernelModule(source: WasmSource | undefined = provided): Promise<WebAssembly.Module> {
  if (source === undefined) {
    return Promise.reject(new NoWasmKernelsError('the WebAssembly kernels were not provided (provideWasmKernels, or the wasmKernels option)'));
  }
  let p = compiled.get(source);
  if (!p) {
    p = compile(source);
    compiled.set(source, p);
    p.catch(() => compiled.delete(source));
  }
  return p;
}

async function compile(source: WasmSource): Promise<WebAssembly.Module> {
  let s = typeof source === 'function' ? await source() : source;
  if (s instanceof WebAssembly.Module) return s;
  if (typeof s === 'string' || s instanceof URL) s = await fetch(s);
  if (typeof Response !== 'undefined' && s instanceof Response) {
    if (!s.ok) throw new NoWasmKernelsError(`could not load the WebAssembly kernels from ${s.url}: HTTP ${s.status}`);
    // compileStreaming insists on the application/wasm MIME type; fall back to the bytes
    if (s.headers.get('content-type')?.startsWith('application/wasm')) return WebAssembly.compileStreaming(s);
    s = await s.arrayBuffer();
  }
  return WebAssembly.compile(s as BufferSource);
}
