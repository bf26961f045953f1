// Ops that rearrange or repeat elements by an index map: Transpose, Tile, Expand.

import type { Dim } from '../../ir/graph';
import { stridesOf } from '../../tensor';
import { broadcastIndex, broadcastShapes } from '../broadcast';
import { defineOp, OpError } from '../spec';
import { ints, mappedIndex, need, stridedIndex, take, tensorType } from './util';

/** The permutation to use: the given one (checked), or the reversed axes by default. */
function permOf(op: string, perm: readonly number[] | undefined, rank: number): number[] {
  if (!perm) return Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const p = perm.map((a) => (a < 0 ? a + rank : a));
  const ok = p.length === rank && new Set(p).size === rank && p.every((a) => a >= 0 && a < rank);
  if (!ok) throw new OpError(op, `perm [${perm.join(',')}] is not a permutation of ${rank} axes`);
  return p;
}

const transpose = defineOp({
  op: 'Transpose',
  attrs: (a) => ({ perm: a.ints('perm') }),
  infer: ([x], { perm }) => {
    if (!x?.shape) return [x ? tensorType(x.dtype, perm ? new Array<null>(perm.length).fill(null) : null) : null];
    const shape = x.shape;
    return [tensorType(x.dtype, permOf('Transpose', perm, shape.length).map((a) => shape[a]))];
  },
  run: ([x], { perm }) => {
    const t = need('Transpose', x, 'data');
    const p = permOf('Transpose', perm, t.dims.length);
    const inStrides = stridesOf(t.dims);
    const outDims = p.map((a) => t.dims[a]);
    return [take(t, outDims, stridedIndex(outDims, p.map((a) => inStrides[a])))];
  },
});

const tile = defineOp({
  op: 'Tile',
  attrs: () => ({}),
  infer: ([x]) => [x ? tensorType(x.dtype, x.shape ? x.shape.map(() => null) : null) : null],
  run: ([x, r]) => {
    const t = need('Tile', x, 'input');
    const reps = ints(need('Tile', r, 'repeats'));
    if (reps.length !== t.dims.length || reps.some((v) => v < 0)) {
      throw new OpError('Tile', `repeats [${reps.join(',')}] must hold one non-negative count per axis of [${t.dims.join(',')}]`);
    }
    const outDims = t.dims.map((d, a) => d * reps[a]);
    const maps = outDims.map((n, a) => Int32Array.from({ length: n }, (_, c) => c % t.dims[a]));
    return [take(t, outDims, mappedIndex(t.dims, maps))];
  },
});

const expand = defineOp({
  op: 'Expand',
  attrs: () => ({}),
  infer: ([x, s]) => {
    const n = s?.shape?.[0];
    if (!x) return [null];
    if (typeof n !== 'number' || !x.shape) return [tensorType(x.dtype, null)];
    return [tensorType(x.dtype, new Array<Dim>(Math.max(n, x.shape.length)).fill(null))];
  },
  run: ([x, s]) => {
    const t = need('Expand', x, 'input');
    const outDims = broadcastShapes('Expand', [t.dims, ints(need('Expand', s, 'shape'))]);
    return [take(t, outDims, broadcastIndex(t.dims, outDims))];
  },
});

export const layoutOps = [transpose, tile, expand];
