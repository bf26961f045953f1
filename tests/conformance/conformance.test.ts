// The ONNX node-test suite against expectations.json: the file covers every test and gives a
// reason for every failure, the reference backend passes at least half the suite, and no test's
// status drifts either way (a new failure, or a new pass that should be recorded). GPU backends
// run with no fallback: a test passes only if every node not folded away ran as a kernel.

import { basename } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkFolder } from '../../cli/conformance';
import { prepareBackend } from '../../cli/node-gpu';
import { BACKENDS } from '../../runtime/backends';
import { readExpectations, suiteFolders } from './suite';

const expected = readExpectations();
const folders = suiteFolders();

describe('conformance expectations', () => {
  it('list every test of the suite for every backend, and no other', () => {
    expect(folders.length).toBe(1802);
    const names = folders.map((d) => basename(d)).sort();
    for (const b of BACKENDS) expect(Object.keys(expected[b] ?? {}).sort()).toEqual(names);
  });

  it('give a reason for every failure', () => {
    for (const b of BACKENDS) {
      const bare = Object.entries(expected[b]).filter(([, e]) => e.status === 'fail' && !e.reason.trim());
      expect(bare).toEqual([]);
    }
  });

  it('have the reference backend pass at least half the suite', () => {
    const passed = Object.values(expected.reference).filter((e) => e.status === 'pass').length;
    expect(passed / folders.length).toBeGreaterThanOrEqual(0.5);
  });
});

for (const backend of BACKENDS) {
  describe(`ONNX node tests on ${backend}`, () => {
    beforeAll(() => prepareBackend(backend));
    it('match expectations.json', async () => {
      const drift: string[] = [];
      for (const dir of folders) {
        const r = await checkFolder(dir, backend, { noFallback: backend !== 'reference' });
        const want = expected[backend][r.name]?.status ?? 'missing';
        const got = r.pass ? 'pass' : 'fail';
        if (want !== got) drift.push(`${r.name}: expected ${want}, got ${got}${r.pass ? ' (record it: npm run conformance:update)' : `: ${r.reason}`}`);
      }
      expect(drift, drift.join('\n')).toEqual([]);
    }, 600_000);
  });
}
