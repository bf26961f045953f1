// A bounded cache of compiled plans for one executable (WebGPU or WASM): least recently used first
// out, so a model whose shape operands take many values cannot hold GPU buffers or linear memory
// for every plan it ever compiled. It knows the input shapes of each plan, so that it can give
// the plans out as records for the compiled-model cache (../compiled.ts).

import type { PlanRecord } from '../compiled';

/** Plans kept per executable. */
export const MAX_PLANS = 16;

export class PlanCache<P> {
  private readonly plans = new Map<string, Promise<P>>();
  /** the input shapes each key's plan was compiled for */
  private readonly shapes = new Map<string, PlanRecord['shapes']>();

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
    this.shapes.clear();
  }

  /** The compiled plans as records, `data` making each one's plain data (failed compiles skipped). */
  async records(data: (plan: P) => unknown): Promise<PlanRecord[]> {
    const out: PlanRecord[] = [];
    for (const [key, p] of [...this.plans]) {
      const plan = await p.catch(() => undefined);
      if (plan !== undefined) out.push({ key, shapes: this.shapes.get(key) ?? [], plan: data(plan) });
    }
    return out;
  }

  /**
   * Puts the compiled `plan` under `key` in place of the plan there (a recompile of it, as after
   * tuning), which is evicted once it compiled. False, and nothing changed, if `key` left the
   * cache meanwhile: `plan` is then the caller's to free.
   */
  replace(key: string, plan: P): boolean {
    const old = this.plans.get(key);
    if (!old) return false;
    this.plans.set(key, Promise.resolve(plan));
    old.then(this.evict, () => {});
    return true;
  }

  /** The plan under `key` (compiled for input `shapes`), compiled by `make` on a miss. */
  get(key: string, make: () => Promise<P>, shapes?: ReadonlyMap<string, readonly number[]> | PlanRecord['shapes']): Promise<P> {
    if (shapes && !this.shapes.has(key)) this.shapes.set(key, [...shapes].map(([n, d]) => [n, [...d]] as const));
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
      if (this.plans.get(key) === made) {
        this.plans.delete(key);
        this.shapes.delete(key);
      }
    });
    while (this.plans.size > this.limit) {
      const [oldest, old] = this.plans.entries().next().value as [string, Promise<P>];
      this.plans.delete(oldest);
      this.shapes.delete(oldest);
      old.then(this.evict, () => {});
    }
    return made;
  }
}
