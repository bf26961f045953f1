// The expectations file itself: covers every node test, gives a reason for every failure, and
// holds the reference backend to the foundation issue's bar (at least half the suite passes).

import { describe, expect, it } from 'vitest';
import { readExpectations, suiteFolders } from './suite';
import { basename } from 'node:path';

describe('conformance expectations', () => {
  const expected = readExpectations();
  const names = suiteFolders().map((d) => basename(d));

  it('list every test of the suite, and no other', () => {
    expect(names.length).toBe(1802);
    expect(Object.keys(expected.reference).sort()).toEqual([...names].sort());
  });

  it('give a reason for every failure', () => {
    const bare = Object.entries(expected.reference).filter(([, e]) => e.status === 'fail' && !e.reason.trim());
    expect(bare).toEqual([]);
  });

  it('have the reference backend pass at least half the suite', () => {
    const passed = Object.values(expected.reference).filter((e) => e.status === 'pass').length;
    expect(passed / names.length).toBeGreaterThanOrEqual(0.5);
  });
});
