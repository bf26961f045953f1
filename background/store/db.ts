// The 'kiln' IndexedDB database: its schema, its versioned upgrades, and how to open it. The
// stores that use it (models.ts, compiled.ts, grants.ts, tuning.ts) share one connection.

import { wrap, type DBSchema, type IDBPDatabase, type OpenDBCallbacks } from 'idb';
import type { TuningRecords } from '../../runtime/backends';

export const DB_NAME = 'kiln';
export const DB_VERSION = 2;

/** Model bytes are stored in chunks of this size: no single structured clone of a whole model. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;

export type ModelFormat = 'onnx';

export interface ModelSource {
  readonly kind: 'catalog' | 'file' | 'url';
  /** the catalog id, the file name, or the URL */
  readonly detail: string;
}

/** An install in progress (or cut off by a crash): it claims the id, and is never listed. */
export interface PendingModelRecord {
  readonly state: 'pending';
  readonly id: string;
  /** tells this install apart from a later one of the same id */
  readonly installToken: string;
  readonly startedAt: number;
}

export interface ReadyModelRecord {
  readonly state: 'ready';
  readonly id: string;
  readonly name: string;
  readonly task?: string;
  readonly source: ModelSource;
  readonly format: ModelFormat;
  readonly size: number;
  /** lowercase hex */
  readonly sha256: string;
  readonly chunkCount: number;
  readonly installedAt: number;
  readonly lastUsed: number;
}

export type ModelRecord = PendingModelRecord | ReadyModelRecord;

export type BlobKey = [modelId: string, chunkIndex: number];

export interface CompiledRecord {
  readonly key: string;
  readonly modelId: string;
  readonly modelSha256: string;
  readonly backend: string;
  readonly deviceFingerprint: string;
  readonly compilerVersion: string;
  readonly bytes: number;
  readonly createdAt: number;
  readonly artifact: unknown;
}

/** The key path of the compiled store's 'summary' index, in this order. */
export type CompiledSummaryKey = [modelId: string, backend: string, deviceFingerprint: string, compilerVersion: string, bytes: number];

export type GrantDecision = 'always' | 'denied';

export interface GrantRecord {
  readonly origin: string;
  readonly modelId: string;
  readonly decision: GrantDecision;
  readonly decidedAt: number;
}

/** What tuning runs on one device chose, for one compiler version (../../runtime/backends/webgpu/tune.ts). */
export interface TuningRecordSet {
  /** `${compilerVersion} ${deviceFingerprint}` */
  readonly key: string;
  readonly deviceFingerprint: string;
  readonly compilerVersion: string;
  readonly records: TuningRecords;
  readonly updatedAt: number;
}

export interface KilnSchema extends DBSchema {
  models: { key: string; value: ModelRecord };
  /** a model's bytes in chunks: Blobs (installs of an earlier version stored Uint8Arrays) */
  blobs: { key: BlobKey; value: Blob | Uint8Array };
  compiled: {
    key: string;
    value: CompiledRecord;
    // 'summary' lets usage, prune and the backends of a model be read from index keys alone,
    // without loading artifacts that can be as large as the model itself.
    indexes: { byModel: string; summary: CompiledSummaryKey };
  };
  grants: { key: [origin: string, modelId: string]; value: GrantRecord };
  settings: { key: string; value: unknown };
  /** added in version 2 */
  tuning: { key: string; value: TuningRecordSet };
}

export type KilnDb = IDBPDatabase<KilnSchema>;

const upgrade: NonNullable<OpenDBCallbacks<KilnSchema>['upgrade']> = (db, oldVersion) => {
  if (oldVersion < 1) {
    db.createObjectStore('models', { keyPath: 'id' });
    db.createObjectStore('blobs');
    const compiled = db.createObjectStore('compiled', { keyPath: 'key' });
    compiled.createIndex('byModel', 'modelId');
    compiled.createIndex('summary', ['modelId', 'backend', 'deviceFingerprint', 'compilerVersion', 'bytes']);
    db.createObjectStore('grants', { keyPath: ['origin', 'modelId'] });
    db.createObjectStore('settings');
  }
  if (oldVersion < 2) db.createObjectStore('tuning', { keyPath: 'key' });
};

/**
 * Opens (creating or upgrading) the database. This is idb's openDB with the factory passed in:
 * openDB always uses the global indexedDB, and tests want a fresh factory each.
 */
export async function openKilnDb(factory: IDBFactory = globalThis.indexedDB): Promise<KilnDb> {
  const request = factory.open(DB_NAME, DB_VERSION);
  request.addEventListener('upgradeneeded', (event) => {
    const db = wrap(request.result) as unknown as KilnDb;
    const tx = wrap(request.transaction!) as unknown as Parameters<typeof upgrade>[3];
    upgrade(db, event.oldVersion, event.newVersion, tx, event);
  });
  const db = await wrap(request);
  if (!db) throw new Error(`opening IndexedDB database '${DB_NAME}' gave no database`);
  return db as unknown as KilnDb;
}

/**
 * Runs `work` in `tx` and waits for the commit. If `work` fails the transaction is aborted, so
 * none of its writes land; a failure at commit (Chrome reports a full disk there, as an abort
 * whose error is a QuotaExceededError) rejects like any other.
 */
export async function inTransaction<Tx extends { readonly done: Promise<void>; abort(): void }, T>(tx: Tx, work: (tx: Tx) => Promise<T>): Promise<T> {
  tx.done.catch(() => {}); // its failure reaches the caller through `work` or the await below
  try {
    const result = await work(tx);
    await tx.done;
    return result;
  } catch (error) {
    try {
      tx.abort();
    } catch {
      // already committed or aborted
    }
    throw error;
  }
}
