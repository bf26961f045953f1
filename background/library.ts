// The models the worker can open: the built-in catalog (bundled with the extension) and models
// installed from a URL, all kept in the model store. A page's model reference resolves to one
// store id; the first use installs it (from the package, or downloaded with progress, verified
// against its sha256), and later ones read it back from the store.

import type { Availability, ModelRef } from '../protocol';
import { CATALOG, findModel, type ModelManifest } from '../models/catalog';
import { abortError, KilnError } from './errors';
import type { ModelStore, InstallMeta } from './store/models';

/** What a reference names, known before anything is downloaded: for the grant prompt and the store. */
export interface ModelDescription {
  /** the store id: the catalog id, the sha256 of a URL model that names one, else one from its URL */
  readonly id: string;
  readonly name: string;
  /** 'catalog' or the URL */
  readonly source: string;
  readonly bytes?: number;
  readonly meta: InstallMeta;
  /** the bytes to install, with the size if known up front */
  readonly fetch: (signal: AbortSignal) => Promise<{ chunks: AsyncIterable<Uint8Array>; total?: number }>;
  readonly sha256?: string;
}

export interface InstallProgress {
  onProgress?(loaded: number, total: number): void;
  signal: AbortSignal;
}

export type ReadPackage = (m: ModelManifest) => Promise<Uint8Array>;

const hex = (bytes: ArrayBuffer) => Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');

/** One download of a model, shared by every caller waiting for it. */
interface SharedInstall {
  readonly done: Promise<void>;
  readonly controller: AbortController;
  /** the callers waiting, each told every progress step */
  readonly watchers: Set<InstallProgress>;
  /** the latest progress step, for a caller who joins late */
  last?: readonly [loaded: number, total: number];
}

export class ModelLibrary {
  /** installs in flight by id: a second request for the same model joins the first */
  private readonly installing = new Map<string, SharedInstall>();
  /** the bytes of recently opened models (a session rebuild or a second session reads them here) */
  private readonly recent = new Map<string, Promise<Uint8Array>>();

  constructor(
    private readonly store: ModelStore,
    private readonly readPackage: ReadPackage,
    private readonly fetchUrl: typeof fetch = (...args) => fetch(...args),
    /** how many models' bytes stay in memory */
    private readonly keep = 2,
  ) {}

  /** Names the model a reference points at; NotFoundError for an unknown catalog id. */
  async describe(ref: ModelRef): Promise<ModelDescription> {
    if (typeof ref === 'string') {
      const m = findModel(ref);
      if (!m) throw new KilnError('NotFoundError', `unknown model '${ref}': the built-in models are ${CATALOG.map((k) => `'${k.id}'`).join(', ')}; others load from a URL, kiln.create({url, sha256})`);
      return {
        id: m.id, name: m.name, source: 'catalog', bytes: m.bytes, sha256: m.sha256,
        meta: { id: m.id, name: m.name, task: m.task, source: { kind: 'catalog', detail: m.id } },
        fetch: async () => ({ chunks: once(await this.readPackage(m)), total: m.bytes }),
      };
    }
    const url = new URL(ref.url);
    const id = ref.sha256 ?? `url-${hex(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(url.href))).slice(0, 40)}`;
    const name = decodeURIComponent(url.pathname.split('/').pop() || url.host);
    return {
      id, name, source: url.href, sha256: ref.sha256,
      meta: { id, name, source: { kind: 'url', detail: url.href } },
      fetch: (signal) => this.download(url, signal),
    };
  }

  async availability(ref: ModelRef): Promise<Availability> {
    if (typeof ref === 'string') return findModel(ref) ? 'available' : 'unavailable';
    const d = await this.describe(ref);
    if (this.installing.has(d.id)) return 'downloading';
    return (await this.installed(d.id)) ? 'available' : 'downloadable';
  }

  /** Whether the store holds the model (installed, not being installed). */
  async installed(id: string): Promise<boolean> {
    return (await this.store.get(id)) !== undefined;
  }

  /**
   * Installs the model unless the store has it; resolves once it is there. Progress always runs
   * from 0 to the total, at once for an installed model (as Chrome's built-in AI APIs report).
   */
  async ensure(d: ModelDescription, progress: InstallProgress): Promise<void> {
    const installed = await this.store.get(d.id);
    if (installed) {
      progress.onProgress?.(0, installed.size);
      progress.onProgress?.(installed.size, installed.size);
      return;
    }
    if (progress.signal.aborted) throw abortError();
    // One download per model, whoever asks: every caller waiting sees its progress, and it is
    // cancelled only when all of them have given up (one tab going away does not fail another's).
    let shared = this.installing.get(d.id);
    if (shared?.controller.signal.aborted) {
      // everyone gave up on that one: let it clean up, then start afresh
      await shared.done.catch(() => undefined);
      shared = this.installing.get(d.id);
    }
    if (!shared) {
      const controller = new AbortController();
      const watchers = new Set<InstallProgress>();
      const report = (loaded: number, total: number) => {
        entry.last = [loaded, total];
        for (const w of watchers) w.onProgress?.(loaded, total);
      };
      const entry: SharedInstall = { controller, watchers, done: this.install(d, controller.signal, report).finally(() => this.installing.delete(d.id)) };
      entry.done.catch(() => undefined); // awaited by the watchers; none may be left to see a failure
      this.installing.set(d.id, (shared = entry));
    }
    const install = shared;
    install.watchers.add(progress);
    if (install.last) progress.onProgress?.(...install.last);
    let leave!: () => void;
    const gaveUp = new Promise<never>((_, reject) => {
      leave = () => {
        install.watchers.delete(progress);
        if (install.watchers.size === 0) install.controller.abort();
        reject(abortError());
      };
      progress.signal.addEventListener('abort', leave, { once: true });
    });
    try {
      await Promise.race([install.done, gaveUp]);
    } finally {
      progress.signal.removeEventListener('abort', leave);
      install.watchers.delete(progress);
    }
  }

  /** The model's bytes (sha256-checked by the store), from memory when recently opened. */
  bytes(id: string): Promise<Uint8Array> {
    let p = this.recent.get(id);
    if (p) {
      this.recent.delete(id);
    } else {
      p = this.store.read(id);
      p.catch(() => this.recent.delete(id));
    }
    this.recent.set(id, p); // most recent last
    while (this.recent.size > this.keep) this.recent.delete(this.recent.keys().next().value!);
    void this.store.touch(id).catch(() => undefined);
    return p;
  }

  /** Deletes the model (bytes, compiled plans) from the store and its bytes from memory. */
  async delete(id: string): Promise<boolean> {
    this.recent.delete(id);
    const existed = await this.store.delete(id);
    this.recent.delete(id); // a read that raced the delete
    return existed;
  }

  /** The installed model's sha256 (what the compiled-model cache keys on). */
  async sha256(id: string): Promise<string> {
    const info = await this.store.get(id);
    if (!info) throw new KilnError('NotFoundError', `model '${id}' is not installed`);
    return info.sha256;
  }

  isLoaded(id: string): boolean {
    return this.recent.has(id);
  }

  private async install(d: ModelDescription, signal: AbortSignal, onProgress?: (loaded: number, total: number) => void): Promise<void> {
    const { chunks, total } = await d.fetch(signal);
    onProgress?.(0, total ?? 0);
    await this.store.install(d.meta, chunks, {
      sha256: d.sha256,
      totalBytes: total,
      signal,
      onProgress: (loaded, t) => onProgress?.(loaded, t ?? 0),
    });
  }

  private async download(url: URL, signal: AbortSignal): Promise<{ chunks: AsyncIterable<Uint8Array>; total?: number }> {
    let response: Response;
    try {
      // No cookies or auth: a model download must not act as the user on another site.
      response = await this.fetchUrl(url.href, { signal, credentials: 'omit', redirect: 'follow' });
    } catch (e) {
      if (signal.aborted) throw e;
      throw new KilnError('NetworkError', `could not download the model from ${url.href}: ${(e as Error).message}`);
    }
    if (!response.ok || !response.body) throw new KilnError('NetworkError', `could not download the model from ${url.href}: HTTP ${response.status}`);
    const length = Number(response.headers.get('content-length'));
    return { chunks: streamChunks(response.body), total: Number.isFinite(length) && length > 0 ? length : undefined };
  }
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** A body stream as an async iterable that releases (cancels) the stream when left early. */
async function* streamChunks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) {
        done = true;
        return;
      }
      yield r.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
  }
}
