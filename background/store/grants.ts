// Site permissions that outlive a prompt: 'always' or 'denied' per (origin, model). An allow-once
// answer is never stored; the caller keeps it for the one request.

import { inTransaction, type GrantDecision, type GrantRecord, type KilnDb } from './db';

/** Only a tuple origin (scheme://host[:port]), exactly as the browser spells it, can be granted. */
function checkOrigin(origin: string): void {
  let canonical: string | undefined;
  try {
    canonical = new URL(origin).origin;
  } catch {
    canonical = undefined;
  }
  if (origin.includes('*') || canonical === undefined || canonical === 'null' || canonical !== origin) {
    throw new TypeError(`'${origin}' is not an origin that can be granted a model (expected one like https://example.com)`);
  }
}

export class GrantStore {
  constructor(
    private readonly db: KilnDb,
    private readonly now: () => number = Date.now,
  ) {}

  async get(origin: string, modelId: string): Promise<GrantDecision | undefined> {
    return (await this.db.get('grants', [origin, modelId]))?.decision;
  }

  async set(origin: string, modelId: string, decision: GrantDecision): Promise<void> {
    checkOrigin(origin);
    if (decision !== 'always' && decision !== 'denied') throw new TypeError(`a stored grant is 'always' or 'denied', not '${String(decision)}'`);
    await this.db.put('grants', { origin, modelId, decision, decidedAt: this.now() });
  }

  /** Every stored grant, ordered by origin then model. */
  async list(): Promise<GrantRecord[]> {
    return this.db.getAll('grants');
  }

  /** Forgets one grant, or every grant of the origin when no model is given. Returns how many. */
  async revoke(origin: string, modelId?: string): Promise<number> {
    // Arrays sort after strings, so [origin] … [origin, []] spans every [origin, modelId].
    const range = modelId === undefined ? IDBKeyRange.bound([origin], [origin, []]) : IDBKeyRange.only([origin, modelId]);
    return inTransaction(this.db.transaction('grants', 'readwrite'), async (tx) => {
      const keys = await tx.store.getAllKeys(range);
      await Promise.all(keys.map((key) => tx.store.delete(key)));
      return keys.length;
    });
  }
}
