// Engine sessions through the compiled-model cache. A model compiled before for this backend, device
// and compiler is restored from the store (pipelines created, weights placed: no import, no
// optimization); otherwise it is compiled and its plans stored for the next time, after its first
// run has answered (or, unrun, a few seconds after its creation, or as it is released): the
// store's copies and writes would otherwise hold up that first run, the one a page waits on. A
// stored entry that fails to restore is dropped and the model compiled afresh.
// The compiled models read or stored last stay in memory too (a few, bounded in bytes), so that a
// second create while the worker lives (a page reloaded, a second tab) skips reading the store.
// Compiles follow the tuning records stored for the device; a compile the user asked for (an
// install's, a recompile) tunes the model's kernels first where the backend tunes (WebGPU on a
// GPU), within a time budget, and stores the records and the tuned plans; a page's session
// compiled here is tuned after it closes, in the background. A page never waits on a tuning run.

import { createBackend, isBackendName, type BackendName, type TuningRecords } from '../runtime/backends';
import { COMPILER_VERSION, compiledBytes, type CompiledModel } from '../runtime/compiled';
import { gpuContext } from '../runtime/backends/webgpu/gpu';
import { InferenceSession } from '../runtime/session';
import { keepAlive } from './lifetime';
import { syntheticFeeds } from './synthetic-feeds';
import type { ModelLibrary } from './library';
import { CompiledCache, type CompiledSummary } from './store/compiled';
import type { KilnDb } from './store/db';
import { TuningStore } from './store/tuning';

export interface CompiledSessionsDeps {
  readonly cache: CompiledCache;
  /** the installed model's bytes (sha256-checked) */
  readonly bytes: (modelId: string) => Promise<Uint8Array>;
  /** the installed model's sha256 */
  readonly sha256: (modelId: string) => Promise<string>;
  /** how long a compiled session waits for its first run before it is stored (default STORE_UNRUN_AFTER_MS) */
  readonly storeUnrunAfterMs?: number;
  /** the device's tuning records; without it nothing is tuned */
  readonly tuning?: TuningStore;
  /** how long an install's or recompile's tuning run may take (default TUNE_BUDGET_MS) */
  readonly tuneBudgetMs?: number;
  /** tune on a software adapter too (tests, on SwiftShader); default false */
  readonly tuneSoftware?: boolean;
}

/** A session this opened: its model, how many of its plans are stored, and a store waiting to start. */
interface OpenedSession {
  readonly modelId: string;
  stored: number;
  /** starts the store that waits for its task, while one does */
  start?: () => void;
  /** a tuning run is recompiling its plans: they are stored after it */
  tuning?: boolean;
  /** compiled here (not restored from the store): its problems may be new to the device's records */
  readonly compiled?: boolean;
  /** its latest store (never rejects) */
  pending?: Promise<void>;
}

/** Where a session's plans came from. */
export type SessionSource = 'cache' | 'compiled';

/** Compiled models kept in memory: at most this many, and this many bytes. */
const RECENT_MODELS = 2;
const RECENT_BYTES = 64 * 1024 * 1024;

/**
 * How long a compiled session waits for its first run before its plans are stored anyway. A page
 * that creates a session and runs it at once gets both answers before the store starts: in the
 * extension, MobileNetV2 on WASM, cold (bench/create/software-adapter.ts), creation 726–1005 ms
 * and the first run 229–353 when the store began at creation (its export's copies ran before
 * creation answered), 607–762 and 117–142 now; the runs right after the first pay for it instead.
 */
const STORE_UNRUN_AFTER_MS = 2000;

/**
 * The time a tuning run may take. Problems tuned once are not timed again, so only a model's
 * first compile on a device with GEMM shapes new to it pays (MobileNetV2 on the H200: see
 * docs/BENCHMARKS.md "Tuning").
 */
const TUNE_BUDGET_MS = 10_000;

export class CompiledSessions {
  /** backends whose stale entries (another compiler, another device) this worker has dropped */
  private readonly pruned = new Set<BackendName>();
  /** stores in flight */
  private readonly storing = new Set<Promise<void>>();
  /** the sessions this opened: their model, and how many plans of theirs are stored */
  private readonly opened = new WeakMap<InferenceSession, OpenedSession>();
  /** compiled models read or stored lately, by cache key, least recently used first */
  private readonly recent = new Map<string, { readonly modelId: string; readonly compiled: CompiledModel; readonly bytes: number }>();
  /** tuning records by device fingerprint, as read from or written to the store */
  private readonly records = new Map<string, TuningRecords>();

  constructor(private readonly deps: CompiledSessionsDeps) {}

  async open(modelId: string, backend: BackendName): Promise<{ session: InferenceSession; source: SessionSource }> {
    const started = performance.now();
    const opened = await this.openOrCompile(modelId, backend);
    // DevTools shows these; the end-to-end tests read them to see a session come from the cache.
    performance.measure('kiln:create', { start: started, end: performance.now(), detail: { model: modelId, backend, source: opened.source } });
    return opened;
  }

  /**
   * Drops the model's compiled plans and compiles it again for each backend it had plans for
   * (`fallback` when it had none; one whose device is gone is skipped); a model whose shapes wait
   * for a run is run once on a synthetic input. Returns the backends it is compiled for now.
   */
  async recompile(modelId: string, fallback: () => Promise<BackendName>): Promise<string[]> {
    const { cache } = this.deps;
    const had = (await this.compiledFor(modelId)).filter(isBackendName);
    this.forget(modelId);
    await cache.deleteForModel(modelId);
    for (const backend of had.length ? had : [await fallback()]) {
      try {
        await this.openTuneStore(modelId, backend, true);
      } catch (e) {
        console.warn(`kiln: '${modelId}' could not be recompiled for ${backend}`, e);
      }
    }
    return this.compiledFor(modelId);
  }

  /**
   * Compiles an installed model for `backend` before any page asks for it, so that a page's first
   * create restores it from the store. A model already compiled there is left as it is, and one whose
   * input shapes are set by its first run is not compiled (a made-up input's shapes would seldom be a
   * page's). Returns the backends it is compiled for now.
   */
  async prepare(modelId: string, backend: BackendName): Promise<string[]> {
    const stored = await this.restorable(modelId, backend);
    if (stored && stored.length === 0) await this.openTuneStore(modelId, backend);
    return this.compiledFor(modelId);
  }

  /**
   * Opens the model (compiling it, or from the store), runs it once on a synthetic input if its
   * shapes wait for a run and `runUnshaped`, tunes it, stores its plans and releases it.
   */
  private async openTuneStore(modelId: string, backend: BackendName, runUnshaped = false): Promise<void> {
    const { session } = await this.open(modelId, backend);
    if (runUnshaped && session.planCount === 0) await session.run(syntheticFeeds(session.inputs));
    await this.tune(session, backend);
    await this.storeAndRelease(session);
  }

  /**
   * Tunes a session's plans on this device (problems without a record), stores the records and
   * keeps them for the compiles that follow. A failed tuning run leaves the session as it was.
   */
  private async tune(session: InferenceSession, backend: BackendName): Promise<void> {
    const store = this.deps.tuning;
    const entry = this.opened.get(session);
    if (!store || !entry || session.planCount === 0 || !(await this.tunes(backend))) return;
    entry.tuning = true;
    let recompiled = false;
    try {
      const results = await keepAlive(session.tune({ budgetMs: this.deps.tuneBudgetMs ?? TUNE_BUDGET_MS }));
      const records: TuningRecords = Object.assign({}, ...(results ?? []).map((r) => r.records));
      if (!Object.keys(records).length) return;
      // a problem given a configuration other than the defaults recompiled its plan
      recompiled = Object.values(records).some((r) => Object.keys(r.config).length > 0);
      const fingerprint = await createBackend(backend).fingerprint();
      this.records.set(fingerprint, await store.merge(fingerprint, COMPILER_VERSION, records));
    } catch (e) {
      console.warn(`kiln: tuning the ${backend} kernels failed; the defaults stay`, e);
    } finally {
      entry.tuning = false;
      // recompiled plans are stored again (plans compiled here and not stored yet are stored anyway)
      if (recompiled) entry.stored = 0;
    }
  }

  /**
   * Whether compiles on `backend` are tuned here: WebGPU on a GPU. A software adapter (SwiftShader,
   * WARP) would take minutes to time the candidates and its choices would serve nothing, since
   * 'auto' runs the WASM kernels there (deps.tuneSoftware lets the tests tune on SwiftShader).
   */
  private async tunes(backend: BackendName): Promise<boolean> {
    if (backend !== 'webgpu') return false;
    return this.deps.tuneSoftware === true || !(await gpuContext()).software;
  }

  /** The device's tuning records ({} without a store, or for a backend that does not tune), read once per worker and kept. */
  private async tuningFor(backend: BackendName): Promise<TuningRecords> {
    const store = this.deps.tuning;
    if (!store || backend !== 'webgpu') return {};
    const fingerprint = await createBackend(backend).fingerprint();
    let records = this.records.get(fingerprint);
    if (!records) this.records.set(fingerprint, (records = await store.get(fingerprint, COMPILER_VERSION)));
    return records;
  }

  /** Stores the plans a session compiled (now, not after a page's run) and releases it. */
  private async storeAndRelease(session: InferenceSession): Promise<void> {
    await this.storeNew(session, true);
    session.release();
  }

  private async compiledFor(modelId: string): Promise<string[]> {
    return [...new Set((await this.deps.cache.list(modelId)).map((s) => s.backend))].sort();
  }

  /** Times `runs` runs (after three warm-ups) of the model on `backend`, on a synthetic input. */
  async benchmark(modelId: string, backend: BackendName, runs: number): Promise<{ input: string; times: number[] }> {
    const { session } = await this.open(modelId, backend);
    try {
      const feeds = syntheticFeeds(session.inputs);
      for (let w = 0; w < 3; w++) await session.run(feeds);
      this.ran(session);
      const times: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t = performance.now();
        await session.run(feeds);
        times.push(performance.now() - t);
      }
      const input = Object.entries(feeds).map(([n, t]) => `${n} ${t.type}[${t.dims.join('×')}]`).join(', ');
      return { input, times };
    } finally {
      await this.idle();
      session.release();
    }
  }

  /** Drops what memory holds of the model's compiled plans (the model was deleted or is recompiled). */
  forget(modelId: string): void {
    for (const [key, r] of this.recent) if (r.modelId === modelId) this.recent.delete(key);
  }

  /** Resolves once the compiled plans of every session opened so far are stored (or failed to be). */
  async idle(): Promise<void> {
    while (this.storing.size) await Promise.all(this.storing);
  }

  /** The model's stored entries this backend, device and compiler can restore (undefined: the backend compiles nothing). */
  private async restorable(modelId: string, backend: BackendName): Promise<CompiledSummary[] | undefined> {
    const { cache, sha256 } = this.deps;
    const engine = createBackend(backend);
    if (!engine.restore) return undefined;
    const fingerprint = await engine.fingerprint();
    if (!this.pruned.has(backend)) {
      this.pruned.add(backend);
      await cache.prune({ compilerVersion: COMPILER_VERSION, backend, deviceFingerprint: fingerprint });
    }
    const sha = await sha256(modelId);
    return (await cache.list(modelId)).filter((s) =>
      s.modelSha256 === sha && s.backend === backend && s.deviceFingerprint === fingerprint && s.compilerVersion === COMPILER_VERSION);
  }

  private async openOrCompile(modelId: string, backend: BackendName): Promise<{ session: InferenceSession; source: SessionSource }> {
    const { cache, bytes } = this.deps;
    const stored = await this.restorable(modelId, backend);
    if (!stored) return { session: await InferenceSession.create(await bytes(modelId), { backend, tuning: await this.tuningFor(backend) }), source: 'compiled' };
    for (const entry of stored) {
      try {
        const compiled = this.recent.get(entry.key)?.compiled ?? ((await cache.get(entry.key)) as CompiledModel);
        const session = await InferenceSession.restore(compiled, () => bytes(modelId), { backend, tuning: await this.tuningFor(backend) });
        this.remember(entry.key, modelId, compiled, entry.bytes);
        this.opened.set(session, { modelId, stored: session.planCount });
        return { session, source: 'cache' };
      } catch (e) {
        console.warn(`kiln: the compiled ${backend} plans of '${modelId}' could not be restored; compiling afresh`, e);
        this.recent.delete(entry.key);
        await cache.delete(entry.key).catch(() => undefined);
      }
    }
    const session = await InferenceSession.create(await bytes(modelId), { backend, tuning: await this.tuningFor(backend) });
    this.opened.set(session, { modelId, stored: 0, compiled: true });
    // stored after its first run (ran), or once it has waited this long for one
    setTimeout(() => this.ran(session), this.deps.storeUnrunAfterMs ?? STORE_UNRUN_AFTER_MS);
    return { session, source: 'compiled' };
  }

  /**
   * After a run: a model whose shapes are known only from its feeds compiles a plan on its first
   * run of each shape; a session with plans not stored yet has them stored, in a task of its own
   * once the run's answer has gone out.
   */
  ran(session: InferenceSession): void {
    this.storeNew(session, false);
  }

  /**
   * Before a session is released: plans it has not stored yet, or whose store waits for its task,
   * start storing now (the export then holds the session until it has its copy).
   */
  releasing(session: InferenceSession): void {
    this.storeNew(session, true);
    const entry = this.opened.get(session);
    if (entry?.compiled && this.deps.tuning && isBackendName(session.backend)) this.tuneAfter(session, entry.modelId, session.backend);
  }

  /**
   * A page's session compiled here is being released: if its plans hold GEMM problems this
   * device has no tuning record for, the model is opened again (from the store, once the plans
   * are stored), tuned and stored tuned, in the background, so that the page's next create gets
   * the tuned plans. No page waits on it; it runs under the worker's keep-alive.
   */
  private tuneAfter(session: InferenceSession, modelId: string, backend: BackendName): void {
    const untuned = session.untunedProblems(); // read now: the session is released next
    const stores = [...this.storing]; // its plans' store among them (not this job: idle() would wait on itself)
    const job = untuned.then(async (n) => {
      if (n === 0 || !(await this.tunes(backend))) return;
      await Promise.all(stores);
      await this.openTuneStore(modelId, backend);
    });
    const tracked = keepAlive(job).catch((e) => console.warn(`kiln: '${modelId}' was not tuned after its session closed`, e));
    this.storing.add(tracked);
    void tracked.finally(() => this.storing.delete(tracked));
  }

  /** Starts storing the session's new plans (now, or in a task of its own); resolves once its latest store is done. */
  private storeNew(session: InferenceSession, now: boolean): Promise<void> | undefined {
    const entry = this.opened.get(session);
    if (!entry || session.isReleased || entry.tuning) return undefined;
    if (now && entry.start) {
      entry.start();
      return entry.pending;
    }
    if (session.planCount <= entry.stored) return entry.pending;
    entry.stored = session.planCount;
    const stored = new Promise<void>((resolve, reject) => {
      const later = now ? undefined : setTimeout(() => entry.start?.(), 0);
      entry.start = () => {
        clearTimeout(later);
        entry.start = undefined;
        this.store(entry.modelId, session).then(resolve, reject);
      };
      if (now) entry.start();
    });
    const storing = keepAlive(stored).catch((e) => console.warn(`kiln: the compiled plans of '${entry.modelId}' were not stored`, e));
    this.storing.add(storing);
    void storing.finally(() => this.storing.delete(storing));
    entry.pending = storing;
    return storing;
  }

  /**
   * Stores every compiled plan of the session as one entry (keyed by the shapes of its first plan,
   * so a later store with more plans replaces it).
   */
  private async store(modelId: string, session: InferenceSession): Promise<void> {
    const compiled = await session.compiled();
    const plan = compiled?.plans[0];
    if (!compiled || !plan) return;
    const { cache, sha256 } = this.deps;
    const key = cache.key({
      modelSha256: await sha256(modelId),
      inputShapes: Object.fromEntries(plan.shapes),
      backend: compiled.backend,
      deviceFingerprint: compiled.deviceFingerprint,
      compilerVersion: compiled.compilerVersion,
    });
    const bytes = compiledBytes(compiled);
    await cache.put(key, modelId, compiled, bytes);
    this.remember(key, modelId, compiled, bytes);
  }

  /** Keeps a compiled model in memory as the most recently used, dropping the oldest beyond the bounds. */
  private remember(key: string, modelId: string, compiled: CompiledModel, bytes: number): void {
    this.recent.delete(key);
    if (bytes > RECENT_BYTES) return;
    this.recent.set(key, { modelId, compiled, bytes });
    let total = 0;
    for (const r of this.recent.values()) total += r.bytes;
    for (const [k, r] of this.recent) {
      if (this.recent.size <= RECENT_MODELS && total <= RECENT_BYTES) break;
      this.recent.delete(k);
      total -= r.bytes;
    }
  }
}

/** The worker's compiled sessions over its store and model library. */
export function compiledSessions(db: KilnDb, library: ModelLibrary): CompiledSessions {
  return new CompiledSessions({ cache: new CompiledCache(db), bytes: (id) => library.bytes(id), sha256: (id) => library.sha256(id), tuning: new TuningStore(db) });
}
