// A bounded cache of compiled plans for one executable: least recently used first out, so a model
// whose shape operands take many values cannot hold GPU buffers for every plan it ever compiled.

/** Plans kept per executable. */
export const MAX_PLANS = 16;

export class PlanCache<P> {
  private readonly plans = new Map<string, Promise<P>>();

  /** `evict` gets each plan dropped for room (after it compiled; failed compiles are not kept). */
  constructor(private readonly evict: (plan: P) => void, private readonly limit = MAX_PLANS) {}

  get size(): number {
    return this.plans.size;
  }

  /** Every cached plan (compiled or compiling), least recently used first. */
  values(): IterableIterator<Promise<P>> {
    return this.plans.values();
  }

  /** Every cached plan with its key, least recently used first. */
  entries(): IterableIterator<[string, Promise<P>]> {
    return this.plans.entries();
  }

  /** Forgets every plan (without evicting them: the caller owns what `values` gave it). */
  clear(): void {
    this.plans.clear();
  }

  /** The plan under `key`, compiled by `make` on a miss. */
  get(key: string, make: () => Promise<P>): Promise<P> {
    let p = this.plans.get(key);
    if (p) {
      // Map order is insertion order: re-inserting marks it most recently used.
      this.plans.delete(key);
      this.plans.set(key, p);
      return p;
    }
    p = make();
    const made = p;
    this.plans.set(key, made);
    made.catch(() => {
      if (this.plans.get(key) === made) this.plans.delete(key);
    });
    while (this.plans.size > this.limit) {
      const [oldest, old] = this.plans.entries().next().value as [string, Promise<P>];
      this.plans.delete(oldest);
      old.then(this.evict, () => {});
    }
    return made;
  }
}
