// Installing from the popup: a file the user picked or dropped goes straight into the store (this
// page opens the same IndexedDB as the worker); a URL goes to the worker ('models.install'), which
// downloads it with progress, one download per model whoever asked.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { ModelInfo, ModelStore } from '../background/store/models';
import { askWorker } from '../protocol/popup-client';
import { modelUrlProblem, SHA256_HEX } from '../protocol/model-ref';

export type Progress = (loaded: number, total: number, phase: string) => void;

/** Reads a File as chunks, without holding all of it in memory. */
async function* fileChunks(file: File, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  try {
    for (;;) {
      if (signal?.aborted) throw new DOMException('the install was cancelled', 'AbortError');
      const r = await reader.read();
      if (r.done) return;
      yield r.value;
    }
  } finally {
    reader.releaseLock();
  }
}

export function fileProblem(file: File): string | undefined {
  if (!/\.onnx$/i.test(file.name)) return `'${file.name}' is not an .onnx file`;
  if (file.size === 0) return `'${file.name}' is empty`;
  return undefined;
}

/**
 * Two passes over the file: the sha256 first (it is the model's id), then the install, which the
 * store checks against that sha256. Progress runs over both passes (hashing, then storing).
 */
export async function installFile(store: ModelStore, file: File, onProgress: Progress, signal?: AbortSignal): Promise<{ info: ModelInfo; existed: boolean }> {
  const problem = fileProblem(file);
  if (problem) throw new DOMException(problem, 'DataError');
  const total = file.size * 2;
  const hasher = sha256.create();
  let hashed = 0;
  for await (const chunk of fileChunks(file, signal)) {
    hasher.update(chunk);
    hashed += chunk.byteLength;
    onProgress(hashed, total, 'checking');
  }
  const id = bytesToHex(hasher.digest());
  const existing = await store.get(id);
  if (existing) {
    onProgress(total, total, 'already installed');
    return { info: existing, existed: true };
  }
  // The worker sweeps unfinished installs when it starts: make sure it has started (and swept)
  // before this one stages its chunks.
  await askWorker({ kind: 'models.status' });
  const info = await store.install({ id, name: file.name, source: { kind: 'file', detail: file.name }, format: 'onnx' }, fileChunks(file, signal), {
    sha256: id,
    totalBytes: file.size,
    signal,
    onProgress: (loaded) => onProgress(file.size + loaded, total, 'storing'),
  });
  return { info, existed: false };
}

/** Why the URL form cannot be sent, or undefined. */
export function urlFormProblem(url: string, sha: string): string | undefined {
  if (url.trim() === '') return 'Type the URL of an ONNX file.';
  const p = modelUrlProblem(url.trim());
  if (p) return `That URL will not do: ${p}.`;
  if (sha.trim() !== '' && !SHA256_HEX.test(sha.trim())) return 'The sha256 must be 64 hex digits (or leave it empty).';
  return undefined;
}

/** Stops the worker's download of that URL model (closing the popup does not). */
export async function cancelUrlInstall(url: string, sha: string): Promise<void> {
  const sha256 = sha.trim() === '' ? undefined : sha.trim().toLowerCase();
  await askWorker({ kind: 'models.cancel', url: url.trim(), ...(sha256 ? { sha256 } : {}) });
}

export function installUrl(url: string, sha: string, onProgress: Progress, signal: AbortSignal) {
  const sha256 = sha.trim() === '' ? undefined : sha.trim().toLowerCase();
  return askWorker(
    { kind: 'models.install', url: url.trim(), ...(sha256 ? { sha256 } : {}) },
    { timeoutMs: 60_000, signal, onProgress: (loaded, total) => onProgress(loaded, total, 'downloading') },
  );
}
