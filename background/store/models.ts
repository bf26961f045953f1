// The installed models: bytes in chunks with their sha256, installed atomically (staged under a
// pending record that claims the id, committed in one transaction) and verified on every read.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import type { ErrorName } from '../../protocol';
import { SHA256_HEX } from '../../protocol/model-ref';
import { KilnError, abortError } from '../kiln-error';
import { deleteCompiledOfModel, readCompiledSummaries, type CompiledSummary } from './compiled';
import { DEFAULT_CHUNK_BYTES, inTransaction, type KilnDb, type ModelFormat, type ModelSource, type ReadyModelRecord } from './db';

/** A store failure with the DOMException name it reaches the page as (also its `name`). */
export class StoreError extends KilnError {
  constructor(domName: ErrorName, message: string) {
    super(domName, message);
    this.name = domName;
  }
}

export const DEFAULT_MAX_MODEL_BYTES = 2 * 1024 ** 3;

/** An installed model as callers see it: its stored record, less the store's bookkeeping. */
export interface ModelInfo extends Omit<ReadyModelRecord, 'state' | 'chunkCount'> {
  /** backends with a compiled artifact of this model in the cache, sorted */
  readonly backends: readonly string[];
}

export interface InstallMeta {
  /** chosen by the caller: a catalog id, or the sha256 for a file or URL */
  readonly id: string;
  readonly name: string;
  readonly task?: string;
  readonly source: ModelSource;
  readonly format?: ModelFormat;
}

export interface InstallOptions {
  /** hex; when given, the install fails unless the bytes hash to it */
  readonly sha256?: string;
  /** the announced size (Content-Length, File.size): refused up front when over the bound */
  readonly totalBytes?: number;
  readonly onProgress?: (loadedBytes: number, totalBytes?: number) => void;
  readonly signal?: AbortSignal;
}

export interface ModelStoreOptions {
  readonly maxModelBytes?: number;
  readonly chunkBytes?: number;
  readonly now?: () => number;
}

export interface StorageUsage {
  readonly models: number;
  readonly compiled: number;
}

interface Staged {
  readonly size: number;
  readonly sha256: string;
  readonly chunkCount: number;
}

interface InstallProgress {
  received: number;
  stored: number;
}

export class ModelStore {
  private readonly maxModelBytes: number;
  private readonly chunkBytes: number;
  private readonly now: () => number;
  /** ids this store is installing now: sweep() leaves their staged chunks alone */
  private readonly activeInstalls = new Set<string>();

  constructor(
    private readonly db: KilnDb,
    options: ModelStoreOptions = {},
  ) {
    this.maxModelBytes = options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES;
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.now = options.now ?? Date.now;
  }

  /**
   * Streams `source` into the store, hashing as it writes. The model becomes visible only once
   * every byte is stored and checked; on any failure its staged chunks are deleted again.
   */
  async install(meta: InstallMeta, source: AsyncIterable<Uint8Array>, options: InstallOptions = {}): Promise<ModelInfo> {
    const { id } = meta;
    if (typeof id !== 'string' || id.length === 0) throw new TypeError('a model needs a non-empty string id');
    const expectedSha256 = options.sha256 === undefined ? undefined : checkSha256(options.sha256);
    if (options.totalBytes !== undefined && options.totalBytes > this.maxModelBytes) throw this.tooLarge(id, options.totalBytes);
    if (options.signal?.aborted) throw cancelled(id);

    const token = crypto.randomUUID();
    const progress: InstallProgress = { received: 0, stored: 0 };
    let claimed = false;
    try {
      await this.claim(id, token);
      claimed = true;
      this.activeInstalls.add(id);
      const staged = await this.stage(id, source, options, progress);
      if (options.signal?.aborted) throw cancelled(id);
      if (expectedSha256 !== undefined && staged.sha256 !== expectedSha256) {
        throw new StoreError('DataError', `model '${id}' failed its integrity check: expected sha256 ${expectedSha256}, got ${staged.sha256}`);
      }
      return await this.commit(meta, token, staged);
    } catch (error) {
      // A cleanup that fails too (the disk is gone) leaves a pending record, which list() hides
      // and sweep() removes.
      if (claimed) await this.discard(id, token).catch(() => {});
      throw isQuotaError(error) ? this.outOfSpace(id, options.totalBytes, progress, error) : error;
    } finally {
      if (claimed) this.activeInstalls.delete(id);
    }
  }

  async get(id: string): Promise<ModelInfo | undefined> {
    return inTransaction(this.db.transaction(['models', 'compiled'], 'readonly'), async (tx) => {
      const record = await tx.objectStore('models').get(id);
      if (record?.state !== 'ready') return undefined;
      return toModelInfo(record, await readCompiledSummaries(tx.objectStore('compiled'), id));
    });
  }

  /** The model's bytes, after checking them against the sha256 recorded at install. */
  async read(id: string): Promise<Uint8Array> {
    const { record, chunks } = await inTransaction(this.db.transaction(['models', 'blobs'], 'readonly'), async (tx) => {
      const record = await tx.objectStore('models').get(id);
      if (record?.state !== 'ready') throw notInstalled(id);
      return { record, chunks: await tx.objectStore('blobs').getAll(chunkRange(id)) };
    });
    const sizeOf = (c: unknown) => (c instanceof Blob ? c.size : c instanceof Uint8Array ? c.byteLength : NaN);
    const storedBytes = chunks.reduce((sum, chunk) => sum + sizeOf(chunk), 0);
    if (chunks.length !== record.chunkCount || storedBytes !== record.size) {
      throw corrupt(id, `${storedBytes} bytes in ${chunks.length} chunks where ${record.size} bytes in ${record.chunkCount} were stored`);
    }
    // Chunks are Blobs (installs before them stored Uint8Arrays): one read of them all, which
    // Chrome does about twice as fast as the same bytes as arrays inside the records.
    const bytes = new Uint8Array(await new Blob(chunks as BlobPart[]).arrayBuffer());
    // One-shot here, so the native digest (much faster than the incremental one used while installing).
    const actual = bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
    if (actual !== record.sha256) throw corrupt(id, `sha256 ${actual}, expected ${record.sha256}`);
    return bytes;
  }

  /** Installed models (never an install in progress), ordered by id. */
  async list(): Promise<ModelInfo[]> {
    return inTransaction(this.db.transaction(['models', 'compiled'], 'readonly'), async (tx) => {
      const records = await tx.objectStore('models').getAll();
      const summaries = await readCompiledSummaries(tx.objectStore('compiled'));
      return records
        .filter((r): r is ReadyModelRecord => r.state === 'ready')
        .map((r) => toModelInfo(r, summaries.filter((s) => s.modelId === r.id)));
    });
  }

  /** Removes the model, its chunks and its compiled artifacts in one transaction. */
  async delete(id: string): Promise<boolean> {
    return inTransaction(this.db.transaction(['models', 'blobs', 'compiled'], 'readwrite'), async (tx) => {
      const models = tx.objectStore('models');
      const existed = (await models.get(id)) !== undefined;
      await Promise.all([models.delete(id), tx.objectStore('blobs').delete(chunkRange(id)), deleteCompiledOfModel(tx.objectStore('compiled'), id)]);
      return existed;
    });
  }

  async touch(id: string): Promise<void> {
    await inTransaction(this.db.transaction('models', 'readwrite'), async (tx) => {
      const record = await tx.store.get(id);
      if (record?.state !== 'ready') throw notInstalled(id);
      await tx.store.put({ ...record, lastUsed: this.now() });
    });
  }

  /** Bytes stored, by category. */
  async usage(): Promise<StorageUsage> {
    return inTransaction(this.db.transaction(['models', 'compiled'], 'readonly'), async (tx) => {
      const records = await tx.objectStore('models').getAll();
      const summaries = await readCompiledSummaries(tx.objectStore('compiled'));
      return {
        models: records.reduce((sum, r) => sum + (r.state === 'ready' ? r.size : 0), 0),
        compiled: summaries.reduce((sum, s) => sum + s.bytes, 0),
      };
    });
  }

  /**
   * Deletes what an install cut off by a crash or a killed worker left: pending records and
   * chunks that belong to no installed model. Call it at worker start; it assumes this store is
   * the only one installing (installs in flight in this store are spared). Returns the ids swept.
   */
  async sweep(): Promise<string[]> {
    return inTransaction(this.db.transaction(['models', 'blobs'], 'readwrite'), async (tx) => {
      const models = tx.objectStore('models');
      const blobs = tx.objectStore('blobs');
      const records = await models.getAll();
      const installed = new Set(records.filter((r) => r.state === 'ready').map((r) => r.id));
      const leftovers = new Set<string>();
      for (const record of records) {
        if (record.state === 'pending' && !this.activeInstalls.has(record.id)) leftovers.add(record.id);
      }
      for (const [modelId] of await blobs.getAllKeys()) {
        if (!installed.has(modelId) && !this.activeInstalls.has(modelId)) leftovers.add(modelId);
      }
      await Promise.all([...leftovers].flatMap((id) => [models.delete(id), blobs.delete(chunkRange(id))]));
      return [...leftovers].sort();
    });
  }

  /** Takes the id with a pending record, or refuses when the model is installed or installing. */
  private async claim(id: string, token: string): Promise<void> {
    await inTransaction(this.db.transaction('models', 'readwrite'), async (tx) => {
      const current = await tx.store.get(id);
      if (current?.state === 'ready') throw new StoreError('InvalidStateError', `model '${id}' is already installed: delete it before installing it again`);
      if (current !== undefined || this.activeInstalls.has(id)) {
        throw new StoreError('InvalidStateError', `model '${id}' is already being installed (or an install was cut off and sweep() has not run)`);
      }
      await tx.store.put({ state: 'pending', id, installToken: token, startedAt: this.now() });
    });
  }

  /** Writes `source` as chunks of exactly `chunkBytes` (the last one shorter), hashing as it goes. */
  private async stage(id: string, source: AsyncIterable<Uint8Array>, options: InstallOptions, progress: InstallProgress): Promise<Staged> {
    const hasher = sha256.create();
    const buffer = new Uint8Array(this.chunkBytes);
    let filled = 0;
    let chunkCount = 0;
    const flush = async () => {
      // the Blob copies the bytes: the buffer is free for the next chunk
      await this.db.put('blobs', new Blob([buffer.subarray(0, filled)]), [id, chunkCount]);
      chunkCount += 1;
      progress.stored += filled;
      filled = 0;
    };

    for await (const piece of untilAborted(source, options.signal, () => cancelled(id))) {
      if (!(piece instanceof Uint8Array)) throw new TypeError(`model '${id}': the byte source yielded ${Object.prototype.toString.call(piece)}, not a Uint8Array`);
      progress.received += piece.byteLength;
      if (progress.received > this.maxModelBytes) throw this.tooLarge(id, progress.received);
      hasher.update(piece);
      for (let offset = 0; offset < piece.byteLength; ) {
        const n = Math.min(piece.byteLength - offset, buffer.byteLength - filled);
        buffer.set(piece.subarray(offset, offset + n), filled);
        filled += n;
        offset += n;
        if (filled === buffer.byteLength) await flush();
      }
      options.onProgress?.(progress.received, options.totalBytes);
    }
    if (filled > 0) await flush();
    return { size: progress.received, sha256: bytesToHex(hasher.digest()), chunkCount };
  }

  /** Turns the pending record into the model's record, if this install still owns it. */
  private async commit(meta: InstallMeta, token: string, staged: Staged): Promise<ModelInfo> {
    const now = this.now();
    const record: ReadyModelRecord = {
      state: 'ready',
      id: meta.id,
      name: meta.name,
      ...(meta.task === undefined ? {} : { task: meta.task }),
      source: meta.source,
      format: meta.format ?? 'onnx',
      ...staged,
      installedAt: now,
      lastUsed: now,
    };
    return inTransaction(this.db.transaction(['models', 'compiled'], 'readwrite'), async (tx) => {
      const models = tx.objectStore('models');
      const current = await models.get(meta.id);
      if (current?.state !== 'pending' || current.installToken !== token) {
        throw abortError(`installing model '${meta.id}' was cancelled: the model was deleted while it downloaded`);
      }
      await models.put(record);
      return toModelInfo(record, await readCompiledSummaries(tx.objectStore('compiled'), meta.id));
    });
  }

  /** Deletes the staged chunks and the pending record, unless another install owns the id now. */
  private async discard(id: string, token: string): Promise<void> {
    await inTransaction(this.db.transaction(['models', 'blobs'], 'readwrite'), async (tx) => {
      const models = tx.objectStore('models');
      const current = await models.get(id);
      const ours = current === undefined || (current.state === 'pending' && current.installToken === token);
      if (!ours) return;
      await Promise.all([models.delete(id), tx.objectStore('blobs').delete(chunkRange(id))]);
    });
  }

  private tooLarge(id: string, bytes: number): StoreError {
    return new StoreError('QuotaExceededError', `model '${id}' is too large: ${bytes} bytes or more, over the limit of ${this.maxModelBytes} bytes`);
  }

  private outOfSpace(id: string, totalBytes: number | undefined, progress: InstallProgress, cause: unknown): StoreError {
    const size = totalBytes === undefined ? `at least ${progress.received} bytes` : `${totalBytes} bytes`;
    const detail = cause instanceof Error && cause.message ? ` (${cause.message})` : '';
    return new StoreError(
      'QuotaExceededError',
      `not enough storage to install model '${id}': storing ${size} failed after ${progress.stored} bytes were written${detail}`,
    );
  }
}

function toModelInfo(record: ReadyModelRecord, summaries: readonly CompiledSummary[]): ModelInfo {
  const { state: _state, chunkCount: _chunkCount, ...info } = record;
  return { ...info, backends: [...new Set(summaries.map((s) => s.backend))].sort() };
}

/** Every chunk key [id, n]. */
function chunkRange(id: string): IDBKeyRange {
  return IDBKeyRange.bound([id, 0], [id, Infinity]);
}

function checkSha256(hex: string): string {
  const lower = hex.toLowerCase();
  if (!SHA256_HEX.test(lower)) throw new StoreError('DataError', `a sha256 is 64 hex digits, got '${hex.slice(0, 80)}'`);
  return lower;
}

/** IndexedDB reports a full disk as a QuotaExceededError DOMException, on a request or the transaction. */
function isQuotaError(error: unknown): boolean {
  return !(error instanceof KilnError) && typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}

function cancelled(id: string): DOMException {
  return abortError(`installing model '${id}' was cancelled`);
}

function notInstalled(id: string): StoreError {
  return new StoreError('NotFoundError', `model '${id}' is not installed`);
}

function corrupt(id: string, what: string): StoreError {
  return new StoreError('DataError', `stored model '${id}' is corrupt: ${what}; delete it and install it again`);
}

/**
 * Iterates `source` until it ends or `signal` aborts, even while the source is stalled on a
 * network read. On an early exit the source is told to stop (which cancels a fetch body).
 */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal | undefined, reason: () => Error): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let finished = false;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(reason());
  });
  aborted.catch(() => {}); // observed through the race below
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      if (signal?.aborted) throw reason();
      const next = await Promise.race([iterator.next(), aborted]);
      if (next.done) {
        finished = true;
        return;
      }
      yield next.value;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    // Not awaited: an async generator's return() waits for a pending next(), which may never come.
    if (!finished) void Promise.resolve(iterator.return?.()).catch(() => {});
  }
}
