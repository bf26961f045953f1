// TfIdfVectorizer (opset 9): counts the n-grams of a fixed pool (with up to max_skip_count tokens
// skipped between gram items) in each row of tokens, and writes TF, IDF or TF-IDF scores.

import { fromNumbers, toNumbers, type Tensor } from '../../tensor';
import { type Attrs, defineOp, OpError } from '../spec';

const OP = 'TfIdfVectorizer';

interface TfIdfAttrs {
  readonly mode: 'TF' | 'IDF' | 'TFIDF';
  readonly minN: number;
  readonly maxN: number;
  readonly maxSkip: number;
  /** n-gram (as a key of its tokens) → its output slot, per gram length */
  readonly grams: ReadonlyMap<string, number>[];
  readonly weights: readonly number[] | undefined;
  readonly outSize: number;
}

const keyOf = (tokens: readonly (string | number)[]): string => JSON.stringify(tokens);

function parse(a: Attrs): TfIdfAttrs {
  const mode = a.string('mode', 'TF');
  if (mode !== 'TF' && mode !== 'IDF' && mode !== 'TFIDF') throw new OpError(OP, `unknown mode '${mode}'`);
  const counts = a.ints('ngram_counts', []);
  const indexes = a.ints('ngram_indexes', []);
  const pool: readonly (string | number)[] = a.strings('pool_strings') ?? a.ints('pool_int64s', []);
  const maxN = a.int('max_gram_length', 1);
  const grams: Map<string, number>[] = Array.from({ length: maxN + 1 }, () => new Map());
  // pool[counts[i] .. counts[i+1]) holds the (i+1)-grams back to back; grams are numbered in pool order
  let g = 0;
  for (let i = 0; i < counts.length; i++) {
    const n = i + 1, start = counts[i], end = i + 1 < counts.length ? counts[i + 1] : pool.length;
    for (let p = start; p + n <= end; p += n, g++) {
      if (g >= indexes.length) throw new OpError(OP, `ngram_indexes has fewer entries than the pool has n-grams`);
      if (n <= maxN) grams[n].set(keyOf(pool.slice(p, p + n)), indexes[g]);
    }
  }
  return {
    mode, minN: a.int('min_gram_length', 1), maxN, maxSkip: a.int('max_skip_count', 0), grams,
    weights: a.floats('weights'), outSize: indexes.length ? Math.max(...indexes) + 1 : 0,
  };
}

export const tfidfSpec = defineOp<TfIdfAttrs>({
  op: OP,
  attrs: (a) => parse(a),
  infer: (inputs, at) => {
    const s = inputs[0]?.shape;
    return [{ kind: 'tensor', dtype: 'float32', shape: s ? (s.length === 2 ? [s[0], at.outSize] : [at.outSize]) : null }];
  },
  run: (inputs, at) => {
    const x: Tensor | undefined = inputs[0];
    if (!x) throw new OpError(OP, `input 'X' is required`);
    if (x.dims.length > 2) throw new OpError(OP, `input must be [C] or [N, C], got [${x.dims.join(',')}]`);
    const tokens: readonly (string | number)[] = x.type === 'string' ? (x.data as string[]) : Array.from(toNumbers(x));
    const rows = x.dims.length === 2 ? x.dims[0] : 1;
    const len = x.dims.length === 0 ? 1 : x.dims[x.dims.length - 1];
    const out = new Float64Array(rows * at.outSize);
    for (let r = 0; r < rows; r++) {
      const row = tokens.slice(r * len, (r + 1) * len);
      const o = r * at.outSize;
      for (let n = Math.max(at.minN, 1); n <= at.maxN; n++) {
        const table = at.grams[n];
        if (!table || table.size === 0) continue;
        // a unigram is the same whatever the skip, so count it once
        const skips = n === 1 ? 0 : at.maxSkip;
        for (let s = 0; s <= skips; s++) {
          const step = s + 1;
          for (let p = 0; p + (n - 1) * step < len; p++) {
            const gram: (string | number)[] = [];
            for (let k = 0; k < n; k++) gram.push(row[p + k * step]);
            const slot = table.get(keyOf(gram));
            if (slot !== undefined) out[o + slot]++;
          }
        }
      }
    }
    if (at.mode !== 'TF') {
      for (let i = 0; i < out.length; i++) {
        const w = at.weights ? at.weights[i % at.outSize] : 1;
        out[i] = at.mode === 'IDF' ? (out[i] > 0 ? w : 0) : out[i] * w;
      }
    }
    return [fromNumbers('float32', x.dims.length === 2 ? [rows, at.outSize] : [at.outSize], out)];
  },
});
