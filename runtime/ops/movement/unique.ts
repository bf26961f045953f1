// Unique: the distinct elements (or slices along an axis), sorted or in order of first occurrence,
// with first-occurrence indices, inverse indices and counts (all four outputs).

import { isBigIntType, type Tensor, toNumbers } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp } from '../spec';
import { need, product, take, tensorType } from './util';

type Key = number | bigint | string;

const int64 = (values: readonly number[]): Tensor => ({
  type: 'int64',
  dims: [values.length],
  data: BigInt64Array.from(values, (v) => BigInt(v)),
});

/** Elements in a comparable form: strings and 64-bit ints as they are, the rest as numbers. */
function comparable(t: Tensor): ArrayLike<Key> {
  if (t.type === 'string' || isBigIntType(t.type)) return t.data as ArrayLike<Key>;
  return toNumbers(t);
}

function compareKeys(a: readonly Key[], b: readonly Key[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i] < b[i]) return -1;
    if (a[i] > b[i]) return 1;
  }
  return 0;
}

const unique = defineOp({
  op: 'Unique',
  attrs: (a) => ({ axis: a.int('axis'), sorted: a.int('sorted', 1) === 1 }),
  infer: ([x], { axis }) => {
    const counts = tensorType('int64', [null]);
    if (!x) return [null, counts, counts, counts];
    const y = axis === undefined || !x.shape ? tensorType(x.dtype, axis === undefined ? [null] : null) : tensorType(x.dtype, x.shape.map((d, i) => (i === normAxis('Unique', axis, x.shape!.length) ? null : d)));
    return [y, counts, tensorType('int64', [null]), counts];
  },
  run: ([x], { axis, sorted }) => {
    const t = need('Unique', x, 'X');
    // view the input as [outer, dim, inner] and find distinct slices along dim
    const a = axis === undefined ? -1 : normAxis('Unique', axis, t.dims.length);
    const outer = a < 0 ? 1 : product(t.dims, 0, a);
    const dim = a < 0 ? t.data.length : t.dims[a];
    const inner = a < 0 ? 1 : product(t.dims, a + 1);
    const vals = comparable(t);
    const slice = (j: number): Key[] => {
      const s: Key[] = [];
      for (let o = 0; o < outer; o++) for (let r = 0; r < inner; r++) s.push(vals[(o * dim + j) * inner + r]);
      return s;
    };
    const slices = Array.from({ length: dim }, (_, j) => slice(j));
    const firstOf = new Map<string, number>(); // slice key -> unique id, in order of first occurrence
    const reps: number[] = [];
    const counts: number[] = [];
    const inverse = slices.map((s, j) => {
      // NaN keys stringify alike, so NaNs count as one value
      const key = s.map((v) => (typeof v === 'string' ? JSON.stringify(v) : String(v))).join(',');
      let id = firstOf.get(key);
      if (id === undefined) {
        id = reps.length;
        firstOf.set(key, id);
        reps.push(j);
        counts.push(0);
      }
      counts[id]++;
      return id;
    });
    const order = reps.map((_, i) => i);
    if (sorted) order.sort((p, q) => compareKeys(slices[reps[p]], slices[reps[q]]));
    const rank = new Array<number>(order.length);
    order.forEach((id, k) => (rank[id] = k));
    const uniq = order.map((id) => reps[id]);

    const idx: number[] = [];
    for (let o = 0; o < outer; o++) for (const j of uniq) for (let r = 0; r < inner; r++) idx.push((o * dim + j) * inner + r);
    const yDims = a < 0 ? [uniq.length] : t.dims.map((d, i) => (i === a ? uniq.length : d));
    return [take(t, yDims, idx), int64(uniq), int64(inverse.map((id) => rank[id])), int64(order.map((id) => counts[id]))];
  },
});

export const uniqueOps = [unique];
