// The compiling backends' plan cache and plan keys, without a GPU: least-recently-used eviction, and
// keys that tell shape-operand values apart byte for byte.

import { describe, expect, it } from 'vitest';
import { PlanCache } from '../../runtime/backends/plan-cache';
import { MAX_VALUE_ELEMENTS, planKey, valueFeeds } from '../../runtime/backends/plan-key';
import { tensor, type Tensor, type Value } from '../../runtime/tensor';

const i64 = (v: number[]): Tensor => tensor('int64', [v.length], BigInt64Array.from(v, BigInt));
const f32 = (v: number[]): Tensor => tensor('float32', [v.length], Float32Array.from(v));

describe('PlanCache', () => {
  it('compiles once per key and evicts the least recently used past its limit', async () => {
    const evicted: string[] = [];
    const cache = new PlanCache<string>((p) => evicted.push(p), 2);
    let made = 0;
    const make = (p: string) => () => (made++, Promise.resolve(p));
    await cache.get('a', make('A'));
    await cache.get('b', make('B'));
    expect(await cache.get('a', make('A2'))).toBe('A'); // a hit, and now the most recent
    await cache.get('c', make('C'));
    await Promise.resolve();
    expect(made).toBe(3);
    expect(evicted).toEqual(['B']);
    expect(cache.size).toBe(2);
    expect(await cache.get('b', make('B2'))).toBe('B2');
  });

  it('gives its compiled plans out as records with their input shapes, skipping failed compiles', async () => {
    const cache = new PlanCache<string>(() => undefined, 4);
    await cache.get('a', () => Promise.resolve('A'), new Map([['x', [1, 3]]]));
    await cache.get('b', () => Promise.reject(new Error('no')), new Map([['x', [2, 3]]])).catch(() => undefined);
    await cache.get('c', () => Promise.resolve('C'), [['x', [4, 3]]]);
    expect(await cache.records((p) => p.toLowerCase())).toEqual([
      { key: 'a', shapes: [['x', [1, 3]]], plan: 'a' },
      { key: 'c', shapes: [['x', [4, 3]]], plan: 'c' },
    ]);
  });

  it('replaces a plan in place (a recompile), evicting the old one, and refuses keys it does not hold', async () => {
    const evicted: string[] = [];
    const cache = new PlanCache<string>((p) => evicted.push(p), 4);
    await cache.get('a', () => Promise.resolve('A'), new Map([['x', [1, 3]]]));
    expect(cache.replace('a', 'A tuned')).toBe(true);
    expect(cache.replace('z', 'Z')).toBe(false);
    await Promise.resolve();
    expect(evicted).toEqual(['A']);
    expect(cache.size).toBe(1);
    expect(await cache.get('a', () => Promise.resolve('never'))).toBe('A tuned');
    expect(await cache.records((p) => p)).toEqual([{ key: 'a', shapes: [['x', [1, 3]]], plan: 'A tuned' }]);
  });

  it('does not keep a failed compile', async () => {
    const cache = new PlanCache<string>(() => undefined, 2);
    await expect(cache.get('a', () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    expect(cache.size).toBe(0);
    expect(await cache.get('a', () => Promise.resolve('A'))).toBe('A');
  });
});

describe('plan keys', () => {
  const shapes = new Map([['x', [2, 3]], ['s', [2]]]);

  it('is the shape key alone without values, and differs per value', () => {
    expect(planKey(shapes, new Map())).toBe('x:2x3;s:2');
    const a = planKey(shapes, new Map([['s', i64([3, 2])]]));
    const b = planKey(shapes, new Map([['s', i64([2, 3])]]));
    expect(a).not.toBe(b);
    expect(a).toBe(planKey(shapes, new Map([['s', i64([3, 2])]])));
  });

  it('tells apart values that print the same (-0 and 0) and dtypes with the same bytes', () => {
    expect(planKey(shapes, new Map([['s', f32([0])]]))).not.toBe(planKey(shapes, new Map([['s', f32([-0])]])));
    expect(planKey(shapes, new Map([['s', tensor('int32', [1], Int32Array.of(0))]]))).not.toBe(planKey(shapes, new Map([['s', f32([0])]])));
  });

  it('takes only small tensor feeds of the named inputs, copied', () => {
    const small = i64([1, 2]);
    const feeds = new Map<string, Value>([['s', small], ['big', i64(new Array(MAX_VALUE_ELEMENTS + 1).fill(1))], ['x', f32([1])]]);
    const got = valueFeeds(feeds, ['s', 'big', 'missing']);
    expect([...got.keys()]).toEqual(['s']);
    (small.data as BigInt64Array)[0] = 9n;
    expect(Array.from(got.get('s')!.data as BigInt64Array)).toEqual([1n, 2n]);
  });
});
