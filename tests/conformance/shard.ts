// Declares one vitest shard of the conformance suite: runs its share of the node tests and fails
// on any status drift from expectations.json (a new failure, or a new pass to record).

import { describe, expect, it } from 'vitest';
import { checkFolder } from '../../cli/conformance';
import { readExpectations, suiteFolders } from './suite';

export function conformanceShard(backend: 'reference', shard: number, shards: number): void {
  describe(`ONNX node tests on ${backend} (shard ${shard + 1}/${shards})`, () => {
    it('match expectations.json', async () => {
      const expected = readExpectations()[backend] ?? {};
      const folders = suiteFolders().filter((_, i) => i % shards === shard);
      expect(folders.length).toBeGreaterThan(100);
      const drift: string[] = [];
      for (const dir of folders) {
        const r = await checkFolder(dir, backend);
        const want = expected[r.name]?.status ?? 'missing';
        const got = r.pass ? 'pass' : 'fail';
        if (want !== got) drift.push(`${r.name}: expected ${want}, got ${got}${r.pass ? ' (record it: npm run conformance:update)' : `: ${r.reason}`}`);
      }
      expect(drift, drift.join('\n')).toEqual([]);
    }, 900_000);
  });
}
