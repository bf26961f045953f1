// The WebAssembly kernels in Node: compiled from their AssemblyScript sources with asc (the
// `build:wasm` script, or on first use when the .wasm is missing or older than its sources),
// then read from disk and handed to the runtime, which never touches the file system itself.

import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNELS_FILE, kernelModule, provideWasmKernels, RELAXED_KERNELS_FILE, relaxedSimdSupported } from '../runtime/backends/wasm/module';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const KERNELS_SOURCE = join(ROOT, 'runtime/backends/wasm/assembly');
/** The built modules (build outputs, ignored by git; vite copies them into dist/): plain SIMD128, and with relaxed SIMD. */
export const KERNELS_WASM = join(ROOT, 'runtime/backends/wasm/build', KERNELS_FILE);
export const RELAXED_KERNELS_WASM = join(ROOT, 'runtime/backends/wasm/build', RELAXED_KERNELS_FILE);

/**
 * SIMD128 (and relaxed SIMD for the relaxed build), no GC runtime (kernels never allocate: the
 * host owns all memory), no asserts. Warning 112 says v128 values cannot cross to the host; only
 * internal helpers take them.
 */
const ascFlags = (relaxed: boolean) => ['-O3', '--runtime', 'stub', '--noAssert', '--enable', relaxed ? 'simd,relaxed-simd' : 'simd', '--disableWarning', '112'];

/**
 * Compiles the kernels into `out` (written under a temporary name, then renamed into place); with
 * `relaxed`, relaxed SIMD enabled (assembly/madd.ts fuses the multiply-adds).
 */
export async function buildKernels(out = KERNELS_WASM, relaxed = false): Promise<void> {
  const { default: asc } = await import('assemblyscript/asc');
  let binary: Uint8Array | undefined;
  const errors: string[] = [];
  const { error } = await asc.main([join(KERNELS_SOURCE, 'index.ts'), ...ascFlags(relaxed), '-o', 'kernels.wasm'], {
    writeFile: (name, contents) => {
      if (name.endsWith('.wasm')) binary = contents as Uint8Array;
    },
    stderr: { write: (s: string | Uint8Array) => void errors.push(String(s)) } as never,
  });
  if (error || !binary) throw new Error(`asc could not build the WebAssembly kernels: ${error?.message ?? 'no output'}\n${errors.join('')}`);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  writeFileSync(tmp, binary);
  renameSync(tmp, out);
}

function newestSource(): number {
  return Math.max(...readdirSync(KERNELS_SOURCE).map((f) => statSync(join(KERNELS_SOURCE, f)).mtimeMs));
}

/** The paths of both kernel modules, up to date, building them first where needed. */
export async function ensureKernels(): Promise<{ plain: string; relaxed: string }> {
  const stale = (f: string) => !existsSync(f) || statSync(f).mtimeMs < newestSource();
  if (stale(KERNELS_WASM) || stale(RELAXED_KERNELS_WASM)) {
    process.stderr.write('kiln: building the WebAssembly kernels (npm run build:wasm)…\n');
    await buildAllKernels();
  }
  return { plain: KERNELS_WASM, relaxed: RELAXED_KERNELS_WASM };
}

/** Compiles both builds of the kernels. */
export async function buildAllKernels(): Promise<void> {
  await buildKernels(KERNELS_WASM);
  await buildKernels(RELAXED_KERNELS_WASM, true);
}

let provided = false;

/**
 * Hands the kernels' bytes to the runtime for every wasm session in this process, and waits for
 * their one-time compilation (per process, as loading Dawn is for webgpu: not part of a session).
 */
export async function useWasmKernels(): Promise<void> {
  if (provided) return;
  const built = await ensureKernels();
  provideWasmKernels(readFileSync(relaxedSimdSupported() ? built.relaxed : built.plain));
  await kernelModule();
  provided = true;
}
