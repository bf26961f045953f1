// Tuning records in the store: what tuning runs on this device chose for each GEMM problem
// (runtime/backends/webgpu/tune.ts), one set per (device fingerprint, compiler version), merged run
// after run and read by every compile on that device. Writing a set drops the sets of other
// compiler versions for the device: their kernels are not this compiler's.

import type { TuningRecords } from '../../runtime/backends';
import { inTransaction, type KilnDb } from './db';

const keyOf = (compilerVersion: string, deviceFingerprint: string) => `${compilerVersion} ${deviceFingerprint}`;

export class TuningStore {
  constructor(
    private readonly db: KilnDb,
    private readonly now: () => number = Date.now,
  ) {}

  /** The records for this device and compiler ({} when none). */
  async get(deviceFingerprint: string, compilerVersion: string): Promise<TuningRecords> {
    return (await this.db.get('tuning', keyOf(compilerVersion, deviceFingerprint)))?.records ?? {};
  }

  /** Adds `records` to the device's set (a problem timed again takes its new record); returns the whole set. */
  async merge(deviceFingerprint: string, compilerVersion: string, records: TuningRecords): Promise<TuningRecords> {
    const key = keyOf(compilerVersion, deviceFingerprint);
    return inTransaction(this.db.transaction('tuning', 'readwrite'), async (tx) => {
      const merged = { ...(await tx.store.get(key))?.records, ...records };
      for (const set of await tx.store.getAll()) {
        if (set.deviceFingerprint === deviceFingerprint && set.compilerVersion !== compilerVersion) await tx.store.delete(set.key);
      }
      await tx.store.put({ key, deviceFingerprint, compilerVersion, records: merged, updatedAt: this.now() });
      return merged;
    });
  }
}
