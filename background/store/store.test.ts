// The model store, compiled cache, grants and tuning records against fake-indexeddb: atomic installs, integrity
// on read, abort, bounds, quota, delete, prune and sweep. A fresh IDBFactory per test.

import 'fake-indexeddb/auto'; // idb tells its wrapped objects apart by the global IDB classes
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompiledCache, compiledKey, type CompiledKeyParts } from './compiled';
import { DB_NAME, DEFAULT_CHUNK_BYTES, openKilnDb, type KilnDb } from './db';
import { GrantStore } from './grants';
import { ModelStore, type InstallMeta } from './models';
import { TuningStore } from './tuning';

const CHUNK = 1024;
const LIMIT = 64 * 1024;

let db: KilnDb;
let clock: number;
let store: ModelStore;

beforeEach(async () => {
  db = await openKilnDb(new IDBFactory());
  clock = 1_000;
  store = new ModelStore(db, { chunkBytes: CHUNK, maxModelBytes: LIMIT, now: () => clock });
});

afterEach(() => db.close());

function meta(id: string): InstallMeta {
  return { id, name: `Model ${id}`, task: 'image-classification', source: { kind: 'url', detail: `https://models.test/${id}.onnx` } };
}

async function chunkSize(id: string, n: number): Promise<number> {
  const c = (await db.get('blobs', [id, n]))!;
  return c instanceof Blob ? c.size : c.byteLength;
}

function bytesOf(length: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

async function* piecesOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function counts(): Promise<{ models: number; blobs: number; compiled: number }> {
  return { models: await db.count('models'), blobs: await db.count('blobs'), compiled: await db.count('compiled') };
}

const nothingStored = { models: 0, blobs: 0, compiled: 0 };

describe('ModelStore.install', () => {
  it('stores a stream in fixed-size chunks, reports progress and reads the bytes back', async () => {
    const bytes = bytesOf(5000);
    const seen: [number, number | undefined][] = [];
    const info = await store.install(meta('m'), piecesOf(bytes, 700), {
      totalBytes: bytes.length,
      onProgress: (loaded, total) => seen.push([loaded, total]),
    });

    expect(seen.length).toBe(Math.ceil(5000 / 700));
    expect(seen.map(([loaded]) => loaded)).toEqual(seen.map((_, i) => Math.min((i + 1) * 700, 5000)));
    expect(seen.at(-1)).toEqual([5000, 5000]);
    expect(info).toMatchObject({ id: 'm', size: 5000, sha256: await sha256Hex(bytes), format: 'onnx', installedAt: 1_000, lastUsed: 1_000, backends: [] });
    expect(await counts()).toEqual({ models: 1, blobs: Math.ceil(5000 / CHUNK), compiled: 0 });
    expect((await db.get('blobs', ['m', 0]))!).toBeInstanceOf(Blob);
    expect(await chunkSize('m', 0)).toBe(CHUNK);
    expect(await store.read('m')).toEqual(bytes);
    expect(await store.list()).toEqual([info]);
  });

  it('uses 8 MiB chunks by default', async () => {
    const big = new ModelStore(db);
    const bytes = bytesOf(DEFAULT_CHUNK_BYTES + 3);
    await big.install(meta('big'), piecesOf(bytes, 1 << 20));
    expect(DEFAULT_CHUNK_BYTES).toBe(8 * 1024 * 1024);
    expect(await chunkSize('big', 0)).toBe(DEFAULT_CHUNK_BYTES);
    expect(await chunkSize('big', 1)).toBe(3);
    // Buffer.equals, not toEqual: a deep compare of 8 MiB element by element takes about a minute.
    expect(Buffer.from(await big.read('big')).equals(bytes)).toBe(true);
  });

  it('accepts the expected sha256 (in any case)', async () => {
    const bytes = bytesOf(3000);
    const info = await store.install(meta('m'), piecesOf(bytes, 512), { sha256: (await sha256Hex(bytes)).toUpperCase() });
    expect(info.sha256).toBe(await sha256Hex(bytes));
  });

  it('refuses a sha256 mismatch and leaves no model and no chunks', async () => {
    const bytes = bytesOf(3000);
    const wrong = await sha256Hex(bytesOf(3000, 2));
    const failure = store.install(meta('m'), piecesOf(bytes, 512), { sha256: wrong });
    await expect(failure).rejects.toMatchObject({ name: 'DataError', domName: 'DataError' });
    await expect(failure).rejects.toThrow(`expected sha256 ${wrong}, got ${await sha256Hex(bytes)}`);
    expect(await counts()).toEqual(nothingStored);
    expect(await store.get('m')).toBeUndefined();
    // the id is free again
    await store.install(meta('m'), piecesOf(bytes, 512));
  });

  it('refuses a malformed expected sha256 before reading anything', async () => {
    await expect(store.install(meta('m'), piecesOf(bytesOf(10), 5), { sha256: 'abc' })).rejects.toMatchObject({ name: 'DataError' });
    expect(await counts()).toEqual(nothingStored);
  });

  it('stops a stalled download on abort, cancels the source and leaves nothing', async () => {
    const controller = new AbortController();
    let nextCalls = 0;
    let sourceStopped = false;
    const stalled: AsyncIterable<Uint8Array> = {
      [Symbol.asyncIterator]: () => ({
        next: () => (++nextCalls <= 3 ? Promise.resolve({ done: false, value: bytesOf(600, nextCalls) }) : new Promise(() => {})),
        return: async () => {
          sourceStopped = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const failure = store.install(meta('m'), stalled, {
      signal: controller.signal,
      onProgress: (loaded) => {
        if (loaded === 1800) setTimeout(() => controller.abort(), 10);
      },
    });
    await expect(failure).rejects.toMatchObject({ name: 'AbortError' });
    expect(sourceStopped).toBe(true);
    expect(await counts()).toEqual(nothingStored);
  });

  it('refuses an already aborted signal', async () => {
    await expect(store.install(meta('m'), piecesOf(bytesOf(10), 5), { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
    expect(await counts()).toEqual(nothingStored);
  });

  it('rejects a stream as soon as it passes maxModelBytes', async () => {
    let piecesRead = 0;
    async function* endless() {
      for (;;) {
        piecesRead++;
        yield bytesOf(4096);
      }
    }
    const failure = store.install(meta('m'), endless());
    await expect(failure).rejects.toMatchObject({ name: 'QuotaExceededError' });
    await expect(failure).rejects.toThrow(`over the limit of ${LIMIT} bytes`);
    expect(piecesRead).toBe(LIMIT / 4096 + 1);
    expect(await counts()).toEqual(nothingStored);
  });

  it('rejects an announced size over the bound without reading the source', async () => {
    let read = false;
    async function* source() {
      read = true;
      yield bytesOf(1);
    }
    await expect(store.install(meta('m'), source(), { totalBytes: LIMIT + 1 })).rejects.toMatchObject({ name: 'QuotaExceededError' });
    expect(read).toBe(false);
  });

  it('refuses to install over an installed model', async () => {
    await store.install(meta('m'), piecesOf(bytesOf(100), 50));
    await expect(store.install(meta('m'), piecesOf(bytesOf(100, 2), 50))).rejects.toMatchObject({ name: 'InvalidStateError' });
    expect(await store.read('m')).toEqual(bytesOf(100));
  });

  it('surfaces a full disk as QuotaExceededError, saying how much was being stored, and cleans up', async () => {
    const proto = globalThis.IDBObjectStore.prototype;
    const put = proto.put;
    let blobPuts = 0;
    proto.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
      if (this.name === 'blobs' && ++blobPuts === 3) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.apply(this, args);
    };
    try {
      const failure = store.install(meta('m'), piecesOf(bytesOf(5000), 1000), { totalBytes: 5000 });
      await expect(failure).rejects.toMatchObject({ name: 'QuotaExceededError', domName: 'QuotaExceededError' });
      await expect(failure).rejects.toThrow(/storing 5000 bytes failed after 2048 bytes were written/);
    } finally {
      proto.put = put;
    }
    expect(await counts()).toEqual(nothingStored);
  });
});

describe('ModelStore reads, deletes and housekeeping', () => {
  it('reads a model whose chunks an earlier version stored as Uint8Arrays', async () => {
    const bytes = bytesOf(2500);
    await store.install(meta('old'), piecesOf(bytes, 1000));
    for (let n = 0; n < 3; n++) {
      const chunk = new Uint8Array(await ((await db.get('blobs', ['old', n])) as Blob).arrayBuffer());
      await db.put('blobs', chunk, ['old', n]);
    }
    expect(await store.read('old')).toEqual(bytes);
  });

  it('re-verifies the sha256 on read and reports a corrupt chunk', async () => {
    await store.install(meta('m'), piecesOf(bytesOf(3000), 1000));
    const chunk = new Uint8Array(await ((await db.get('blobs', ['m', 1])) as Blob).arrayBuffer());
    chunk[17] ^= 0xff;
    await db.put('blobs', new Blob([chunk]), ['m', 1]);
    const failure = store.read('m');
    await expect(failure).rejects.toMatchObject({ name: 'DataError' });
    await expect(failure).rejects.toThrow(/stored model 'm' is corrupt: sha256 [0-9a-f]{64}, expected [0-9a-f]{64}/);
  });

  it('reports a missing chunk as corrupt and an unknown model as not found', async () => {
    await store.install(meta('m'), piecesOf(bytesOf(3000), 1000));
    await db.delete('blobs', ['m', 2]);
    await expect(store.read('m')).rejects.toMatchObject({ name: 'DataError' });
    await expect(store.read('nope')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('deletes a model with its chunks and compiled artifacts, and nothing of another model', async () => {
    const compiled = new CompiledCache(db);
    const a = await store.install(meta('a'), piecesOf(bytesOf(3000), 1000));
    const b = await store.install(meta('b'), piecesOf(bytesOf(2000, 2), 1000));
    const keyOf = (sha: string, backend: string) =>
      compiled.key({ modelSha256: sha, inputShapes: { x: [1, 3] }, backend, deviceFingerprint: 'dev', compilerVersion: 'c1' });
    await compiled.put(keyOf(a.sha256, 'webgpu'), 'a', { plan: [1, 2] }, 400);
    await compiled.put(keyOf(a.sha256, 'wasm'), 'a', { plan: [3] }, 100);
    await compiled.put(keyOf(b.sha256, 'wasm'), 'b', { plan: [4] }, 50);

    expect((await store.get('a'))!.backends).toEqual(['wasm', 'webgpu']);
    expect(await store.usage()).toEqual({ models: 5000, compiled: 550 });

    expect(await store.delete('a')).toBe(true);
    expect(await store.get('a')).toBeUndefined();
    await expect(store.read('a')).rejects.toMatchObject({ name: 'NotFoundError' });
    expect(await counts()).toEqual({ models: 1, blobs: 2, compiled: 1 });
    expect(await store.usage()).toEqual({ models: 2000, compiled: 50 });
    expect(await store.read('b')).toEqual(bytesOf(2000, 2));
    expect(await store.delete('a')).toBe(false);
  });

  it('touch updates lastUsed only', async () => {
    const before = await store.install(meta('m'), piecesOf(bytesOf(10), 10));
    clock = 5_000;
    await store.touch('m');
    expect(await store.get('m')).toEqual({ ...before, lastUsed: 5_000 });
    await expect(store.touch('nope')).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('hides what a crashed install left, and sweep() removes it', async () => {
    await store.install(meta('kept'), piecesOf(bytesOf(1500), 500));
    // What a worker killed mid-download leaves: a pending record with some chunks, and chunks
    // with no record at all.
    await db.put('models', { state: 'pending', id: 'cut', installToken: 'old', startedAt: 1 });
    await db.put('blobs', bytesOf(CHUNK), ['cut', 0]);
    await db.put('blobs', bytesOf(CHUNK), ['cut', 1]);
    await db.put('blobs', bytesOf(10), ['orphan', 0]);

    expect((await store.list()).map((m) => m.id)).toEqual(['kept']);
    expect(await store.get('cut')).toBeUndefined();
    await expect(store.install(meta('cut'), piecesOf(bytesOf(10), 10))).rejects.toMatchObject({ name: 'InvalidStateError' });

    const restarted = new ModelStore(db, { chunkBytes: CHUNK });
    expect(await restarted.sweep()).toEqual(['cut', 'orphan']);
    expect(await counts()).toEqual({ models: 1, blobs: 2, compiled: 0 });
    expect(await restarted.read('kept')).toEqual(bytesOf(1500));
    await restarted.install(meta('cut'), piecesOf(bytesOf(10), 10));
  });

  it('sweep() spares an install in flight in the same store', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    async function* slow() {
      yield bytesOf(CHUNK + 10);
      await gate;
      yield bytesOf(10, 2);
    }
    const installing = store.install(meta('m'), slow());
    while ((await db.count('blobs')) === 0) await new Promise((r) => setTimeout(r, 1));
    expect(await store.sweep()).toEqual([]);
    release();
    expect((await installing).size).toBe(CHUNK + 20);
  });
});

describe('CompiledCache', () => {
  const parts: CompiledKeyParts = {
    modelSha256: 'AB'.repeat(32),
    inputShapes: { image: [1, 3, 224, 224], mask: [1, 224] },
    backend: 'webgpu',
    deviceFingerprint: 'nvidia/h200',
    compilerVersion: '0.1.0',
  };

  it('makes the same key from the same parts, in any input order', () => {
    const reordered = { ...parts, modelSha256: parts.modelSha256.toLowerCase(), inputShapes: { mask: [1, 224], image: [1, 3, 224, 224] } };
    expect(compiledKey(reordered)).toBe(compiledKey(parts));
    expect(compiledKey({ ...parts, inputShapes: { ...parts.inputShapes, mask: [1, 225] } })).not.toBe(compiledKey(parts));
    for (const change of [{ backend: 'wasm' }, { deviceFingerprint: 'other' }, { compilerVersion: '0.2.0' }, { modelSha256: 'cd'.repeat(32) }]) {
      expect(compiledKey({ ...parts, ...change })).not.toBe(compiledKey(parts));
    }
    expect(() => compiledKey({ ...parts, inputShapes: { image: [1, -1] } })).toThrow(TypeError);
  });

  it('stores and returns plain-data artifacts', async () => {
    const cache = new CompiledCache(db);
    const key = cache.key(parts);
    const artifact = { wgsl: ['@compute fn main() {}'], weights: new Float32Array([1, 2, 3]) };
    expect(await cache.get(key)).toBeUndefined();
    await cache.put(key, 'mobilenet', artifact, 12);
    expect(await cache.get(key)).toEqual(artifact);
    await expect(cache.put('not a key', 'mobilenet', artifact, 12)).rejects.toThrow(TypeError);
  });

  it('prunes other compiler versions, and other devices of the given backend only', async () => {
    const cache = new CompiledCache(db);
    const entries = {
      current: { ...parts },
      otherDevice: { ...parts, deviceFingerprint: 'intel/arc' },
      wasmOtherDevice: { ...parts, backend: 'wasm', deviceFingerprint: 'cpu-simd' },
      oldCompiler: { ...parts, compilerVersion: '0.0.9' },
      oldCompilerWasm: { ...parts, backend: 'wasm', deviceFingerprint: 'cpu-simd', compilerVersion: '0.0.9' },
    };
    for (const [name, p] of Object.entries(entries)) await cache.put(cache.key(p), 'mobilenet', { name }, 1);

    expect(await cache.prune({ compilerVersion: '0.1.0', backend: 'webgpu', deviceFingerprint: 'nvidia/h200' })).toBe(3);
    const left = await Promise.all(Object.values(entries).map(async (p) => (await cache.get(cache.key(p))) !== undefined));
    expect(left).toEqual([true, false, true, false, false]);
  });

  it('deletes one model\'s entries', async () => {
    const cache = new CompiledCache(db);
    await cache.put(cache.key(parts), 'a', {}, 1);
    await cache.put(cache.key({ ...parts, backend: 'wasm' }), 'a', {}, 1);
    await cache.put(cache.key({ ...parts, modelSha256: 'cd'.repeat(32) }), 'b', {}, 1);
    expect(await cache.deleteForModel('a')).toBe(2);
    expect((await cache.list()).map((s) => s.modelId)).toEqual(['b']);
  });
});

describe('GrantStore', () => {
  it('sets, gets, lists and revokes per origin and model', async () => {
    const grants = new GrantStore(db, () => 42);
    await grants.set('https://a.test', 'm1', 'always');
    await grants.set('https://a.test', 'm2', 'denied');
    await grants.set('https://b.test:8443', 'm1', 'always');

    expect(await grants.get('https://a.test', 'm1')).toBe('always');
    expect(await grants.get('https://a.test', 'm2')).toBe('denied');
    expect(await grants.get('https://a.test', 'm3')).toBeUndefined();
    expect(await grants.get('https://sub.a.test', 'm1')).toBeUndefined();
    expect((await grants.list()).map((g) => [g.origin, g.modelId, g.decision, g.decidedAt])).toEqual([
      ['https://a.test', 'm1', 'always', 42],
      ['https://a.test', 'm2', 'denied', 42],
      ['https://b.test:8443', 'm1', 'always', 42],
    ]);

    await grants.set('https://a.test', 'm2', 'always');
    expect(await grants.get('https://a.test', 'm2')).toBe('always');

    expect(await grants.revoke('https://a.test', 'm1')).toBe(1);
    expect(await grants.get('https://a.test', 'm1')).toBeUndefined();
    expect(await grants.revoke('https://a.test')).toBe(1);
    expect((await grants.list()).map((g) => g.origin)).toEqual(['https://b.test:8443']);
  });

  it('grants only exact tuple origins', async () => {
    const grants = new GrantStore(db);
    for (const origin of ['*', 'https://*.a.test', 'null', 'https://a.test/', 'https://A.test', 'file:///tmp/x', 'a.test']) {
      await expect(grants.set(origin, 'm', 'always'), origin).rejects.toThrow(TypeError);
    }
    expect(await grants.list()).toEqual([]);
  });
});

describe('TuningStore', () => {
  const rec = (tileM: number, ms: number) => ({ config: { tileM, tileN: 64, regM: tileM / 16, regN: 4 }, ms, baselineMs: 2 * ms });

  it('merges records per device and compiler, and drops the device’s sets of other compilers', async () => {
    const tuning = new TuningStore(db, () => clock);
    expect(await tuning.get('gpu-a', 'c1')).toEqual({});
    await tuning.merge('gpu-a', 'c1', { p: rec(64, 1), q: rec(32, 2) });
    await tuning.merge('gpu-a', 'c1', { q: rec(64, 1.5) });
    await tuning.merge('gpu-b', 'c1', { p: rec(32, 3) });
    expect(await tuning.get('gpu-a', 'c1')).toEqual({ p: rec(64, 1), q: rec(64, 1.5) });
    expect(await tuning.get('gpu-b', 'c1')).toEqual({ p: rec(32, 3) });
    // a new compiler starts afresh on gpu-a; gpu-b keeps its set until it is tuned again
    expect(await tuning.merge('gpu-a', 'c2', { r: rec(32, 1) })).toEqual({ r: rec(32, 1) });
    expect(await tuning.get('gpu-a', 'c1')).toEqual({});
    expect(await tuning.get('gpu-b', 'c1')).toEqual({ p: rec(32, 3) });
  });

  it('comes with an upgrade of a version-1 database, keeping what it held', async () => {
    const factory = new IDBFactory();
    await new Promise<void>((resolve, reject) => {
      const open = factory.open(DB_NAME, 1);
      open.onupgradeneeded = () => {
        open.result.createObjectStore('models', { keyPath: 'id' });
        open.result.createObjectStore('settings').put('kept', 'probe');
      };
      open.onsuccess = () => (open.result.close(), resolve());
      open.onerror = () => reject(open.error);
    });
    const upgraded = await openKilnDb(factory);
    expect(await upgraded.get('settings', 'probe')).toBe('kept');
    await new TuningStore(upgraded).merge('gpu', 'c', { p: rec(64, 1) });
    expect(await new TuningStore(upgraded).get('gpu', 'c')).toEqual({ p: rec(64, 1) });
    upgraded.close();
  });
});
