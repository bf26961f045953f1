// The session table: sessions keyed by id, each bound to the origin that created it. Descriptors
// live in a SessionStore so that after the worker is killed, the next request on a session id
// rebuilds the engine session from (model id, backend): from the compiled-model cache, or by
// compiling the stored model (./compiled-sessions.ts).

import { LIMITS } from '../protocol';
import type { BackendName } from '../runtime/backends';
import type { InferenceSession } from '../runtime/session';
import { KilnError } from './errors';
import type { SessionRecord, SessionStore } from './session-store';

/** Where engine sessions come from (./compiled-sessions.ts). */
export interface SessionEngine {
  /** an engine session of an installed model on a backend */
  open(modelId: string, backend: BackendName): Promise<InferenceSession>;
  /** told after each run (a run may have compiled a plan worth keeping) */
  ran?(session: InferenceSession): void;
  /** told just before a session is released (what it compiled and has not kept yet is kept first) */
  releasing?(session: InferenceSession): void;
}

/** Whoever holds a session open (a connection); its sessions close when it does. */
export type Owner = object;

export class SessionTable {
  private readonly records = new Map<string, SessionRecord>();
  private readonly live = new Map<string, Promise<InferenceSession>>();
  private readonly owners = new Map<string, Owner>();

  constructor(
    private readonly store: SessionStore,
    private readonly engine: SessionEngine,
  ) {}

  /** Loads the descriptors that survived a worker restart. */
  async init(): Promise<void> {
    for (const r of await this.store.loadAll()) this.records.set(r.id, r);
  }

  async create(origin: string, model: string, backend: BackendName, owner: Owner): Promise<{ record: SessionRecord; session: InferenceSession }> {
    const open = [...this.records.values()].filter((r) => r.origin === origin).length;
    if (open >= LIMITS.maxSessionsPerOrigin) {
      throw new KilnError('QuotaExceededError', `${origin} has ${open} open sessions, the limit is ${LIMITS.maxSessionsPerOrigin}: destroy() some first`);
    }
    const session = await this.engine.open(model, backend);
    const record: SessionRecord = { id: crypto.randomUUID(), origin, model, backend };
    this.records.set(record.id, record);
    this.live.set(record.id, Promise.resolve(session));
    this.owners.set(record.id, owner);
    await this.store.put(record);
    return { record, session };
  }

  /** The engine session for `id`, rebuilt if the worker restarted since it was created. */
  open(id: string, origin: string, owner: Owner): Promise<InferenceSession> {
    const record = this.recordFor(id, origin);
    // The creating connection owns a session; after a worker restart, the first one to use it.
    if (!this.owners.has(id)) this.owners.set(id, owner);
    let session = this.live.get(id);
    if (!session) {
      session = this.rebuild(record);
      this.live.set(id, session);
      session.catch(() => this.live.delete(id));
    }
    return session;
  }

  /** After a run of an engine session this table opened. */
  ran(session: InferenceSession): void {
    this.engine.ran?.(session);
  }

  async destroy(id: string, origin: string): Promise<void> {
    this.recordFor(id, origin);
    await this.forget(id);
  }

  /** Destroys the sessions a closed connection held. */
  async dropOwnedBy(owner: Owner): Promise<void> {
    const ids = [...this.owners].filter(([, o]) => o === owner).map(([id]) => id);
    await Promise.all(ids.map((id) => this.forget(id)));
  }

  /** Open sessions per model id. */
  countByModel(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const r of this.records.values()) counts.set(r.model, (counts.get(r.model) ?? 0) + 1);
    return counts;
  }

  private recordFor(id: string, origin: string): SessionRecord {
    const record = this.records.get(id);
    // The same answer for "no such id" and "another origin's id": ids do not leak across origins.
    if (!record || record.origin !== origin) throw new KilnError('InvalidStateError', `no open session '${id}' for ${origin} (destroyed, or never created here)`);
    return record;
  }

  private async rebuild(record: SessionRecord): Promise<InferenceSession> {
    return this.engine.open(record.model, record.backend as BackendName);
  }

  /** Drops the session and frees its engine session's memory (after runs in flight end). */
  private async forget(id: string): Promise<void> {
    this.records.delete(id);
    this.live.get(id)?.then((s) => (this.engine.releasing?.(s), s.release()), () => undefined);
    this.live.delete(id);
    this.owners.delete(id);
    await this.store.remove(id);
  }
}
