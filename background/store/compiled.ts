// The compiled-model cache: plain-data artifacts keyed by (model sha256, input shapes, backend,
// device fingerprint, compiler version), pruned when the compiler or the device changes.

import type { IDBPObjectStore, StoreNames } from 'idb';
import { packToBlob, unpackFromBlob, type BlobPacked } from './blob-pack';
import { inTransaction, type CompiledRecord, type CompiledSummaryKey, type KilnDb, type KilnSchema } from './db';

export interface CompiledKeyParts {
  readonly modelSha256: string;
  /** input name → the concrete dims the model was specialised for */
  readonly inputShapes: Readonly<Record<string, readonly number[]>>;
  readonly backend: string;
  readonly deviceFingerprint: string;
  readonly compilerVersion: string;
}

/** What an entry is, read from the 'summary' index (and its key) without loading its artifact. */
export type CompiledSummary = Omit<CompiledRecord, 'createdAt' | 'artifact'>;

export interface PruneTarget {
  readonly compilerVersion: string;
  /** the backend whose device is now `deviceFingerprint`; other backends keep their entries */
  readonly backend: string;
  readonly deviceFingerprint: string;
}

const KEY_TAG = 'kiln.compiled.1';

type ShapeEntries = [inputName: string, dims: number[]][];
type KeyTuple = [tag: typeof KEY_TAG, modelSha256: string, backend: string, deviceFingerprint: string, compilerVersion: string, shapes: ShapeEntries];

/** A deterministic key: the same parts (in any input order) always give the same string. */
export function compiledKey(parts: CompiledKeyParts): string {
  const shapes: ShapeEntries = Object.keys(parts.inputShapes)
    .sort()
    .map((name) => {
      const dims = parts.inputShapes[name]!;
      if (!dims.every((d) => Number.isInteger(d) && d >= 0)) {
        throw new TypeError(`input '${name}' has shape [${dims.join(', ')}]: a compiled model needs concrete non-negative integer dims`);
      }
      return [name, [...dims]];
    });
  const tuple: KeyTuple = [KEY_TAG, parts.modelSha256.toLowerCase(), parts.backend, parts.deviceFingerprint, parts.compilerVersion, shapes];
  return JSON.stringify(tuple);
}

function parseCompiledKey(key: string): KeyTuple {
  let tuple: unknown;
  try {
    tuple = JSON.parse(key);
  } catch {
    tuple = undefined;
  }
  const ok = Array.isArray(tuple) && tuple.length === 6 && tuple[0] === KEY_TAG && tuple.slice(1, 5).every((s) => typeof s === 'string');
  if (!ok) throw new TypeError(`'${key.slice(0, 80)}' is not a compiled-model key (make one with CompiledCache.key)`);
  return tuple as KeyTuple;
}

type CompiledStore<Tx extends ArrayLike<StoreNames<KilnSchema>>, Mode extends IDBTransactionMode> = IDBPObjectStore<KilnSchema, Tx, 'compiled', Mode>;

/** Reads the summaries of every entry, or of one model's, inside the caller's transaction. */
export async function readCompiledSummaries<Tx extends ArrayLike<StoreNames<KilnSchema>>, Mode extends IDBTransactionMode>(
  store: CompiledStore<Tx, Mode>,
  modelId?: string,
): Promise<CompiledSummary[]> {
  // Arrays sort after strings, so [id] … [id, []] spans every summary key that starts with id.
  const range = modelId === undefined ? undefined : IDBKeyRange.bound([modelId], [modelId, []]);
  const summaries: CompiledSummary[] = [];
  for (let cursor = await store.index('summary').openKeyCursor(range); cursor; cursor = await cursor.continue()) {
    const [id, backend, deviceFingerprint, compilerVersion, bytes] = cursor.key as CompiledSummaryKey;
    summaries.push({ key: cursor.primaryKey, modelId: id, modelSha256: parseCompiledKey(cursor.primaryKey)[1], backend, deviceFingerprint, compilerVersion, bytes });
  }
  return summaries;
}

/** Deletes one model's entries inside the caller's transaction (so a model delete is atomic). */
export async function deleteCompiledOfModel<Tx extends ArrayLike<StoreNames<KilnSchema>>>(
  store: CompiledStore<Tx, 'readwrite'>,
  modelId: string,
): Promise<number> {
  const keys = await store.index('byModel').getAllKeys(modelId);
  await Promise.all(keys.map((key) => store.delete(key)));
  return keys.length;
}

export class CompiledCache {
  constructor(
    private readonly db: KilnDb,
    private readonly now: () => number = Date.now,
  ) {}

  key(parts: CompiledKeyParts): string {
    return compiledKey(parts);
  }

  async get(key: string): Promise<unknown> {
    const stored = (await this.db.get('compiled', key))?.artifact as BlobPacked | undefined;
    if (!stored) return undefined;
    // its typed arrays were moved into one Blob, which reads back much faster (./blob-pack.ts)
    return unpackFromBlob(stored.skeleton, await stored.data.arrayBuffer());
  }

  /** `artifact` must be structured-cloneable plain data; `bytes` is its size, for usage. */
  async put(key: string, modelId: string, artifact: unknown, bytes: number): Promise<void> {
    if (!Number.isFinite(bytes) || bytes < 0) throw new RangeError(`compiled artifact size must be a non-negative number of bytes, got ${bytes}`);
    const [, modelSha256, backend, deviceFingerprint, compilerVersion] = parseCompiledKey(key);
    const record: CompiledRecord = { key, modelId, modelSha256, backend, deviceFingerprint, compilerVersion, bytes, createdAt: this.now(), artifact: packToBlob(artifact) };
    await this.db.put('compiled', record);
  }

  async delete(key: string): Promise<void> {
    await this.db.delete('compiled', key);
  }

  async deleteForModel(modelId: string): Promise<number> {
    return inTransaction(this.db.transaction('compiled', 'readwrite'), (tx) => deleteCompiledOfModel(tx.store, modelId));
  }

  /** Entries of every backend, or of one model. */
  async list(modelId?: string): Promise<CompiledSummary[]> {
    return inTransaction(this.db.transaction('compiled', 'readonly'), (tx) => readCompiledSummaries(tx.store, modelId));
  }

  /**
   * Deletes what the current compiler and device can no longer use: every entry of another
   * compiler version, and entries of `target.backend` built for another device. Returns how many.
   */
  async prune(target: PruneTarget): Promise<number> {
    const stale = (s: CompiledSummary) =>
      s.compilerVersion !== target.compilerVersion || (s.backend === target.backend && s.deviceFingerprint !== target.deviceFingerprint);
    return inTransaction(this.db.transaction('compiled', 'readwrite'), async (tx) => {
      const doomed = (await readCompiledSummaries(tx.store)).filter(stale);
      await Promise.all(doomed.map((s) => tx.store.delete(s.key)));
      return doomed.length;
    });
  }
}
