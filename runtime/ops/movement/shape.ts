// Ops that read or change only a tensor's shape: Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze.

import type { Dim } from '../../ir/graph';
import { tensor } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { ints, knownProduct, need, normAxes, product, tensorType, withDims } from './util';

const int64Tensor = (dims: readonly number[], values: readonly number[]) =>
  tensor('int64', dims, BigInt64Array.from(values, (v) => BigInt(v)));

/** Shape's [start, end) window (opset 15), clamped to [0, rank]. */
function shapeWindow(rank: number, start: number, end: number | undefined): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  return [clamp(start), clamp(end ?? rank)];
}

const shape = defineOp({
  op: 'Shape',
  attrs: (a) => ({ start: a.int('start', 0), end: a.int('end') }),
  infer: ([x], { start, end }) => {
    if (!x?.shape) return [tensorType('int64', [null])];
    const [s, e] = shapeWindow(x.shape.length, start, end);
    return [tensorType('int64', [Math.max(e - s, 0)])];
  },
  run: ([x], { start, end }) => {
    const dims = need('Shape', x, 'data').dims;
    const [s, e] = shapeWindow(dims.length, start, end);
    const picked = dims.slice(s, Math.max(s, e));
    return [int64Tensor([picked.length], picked)];
  },
});

const size = defineOp({
  op: 'Size',
  attrs: () => ({}),
  infer: () => [tensorType('int64', [])],
  run: ([x]) => [int64Tensor([], [product(need('Size', x, 'data').dims)])],
});

/** Reshape's target dims: 0 copies the input dim (unless allowzero), -1 takes what is left. */
export function reshapeDims(op: string, inDims: readonly number[], spec: readonly number[], allowzero: boolean): number[] {
  const total = product(inDims);
  const out = spec.map((d, i) => (d === 0 && !allowzero ? (i < inDims.length ? inDims[i] : 0) : d));
  const free = out.indexOf(-1);
  if (free !== out.lastIndexOf(-1)) throw new OpError(op, `shape [${spec.join(',')}] has more than one -1`);
  if (out.some((d) => d < -1)) throw new OpError(op, `shape [${spec.join(',')}] has an invalid dimension`);
  if (free >= 0) {
    const rest = out.reduce((p, d, i) => (i === free ? p : p * d), 1);
    if (rest === 0 || total % rest !== 0) throw new OpError(op, `cannot reshape [${inDims.join(',')}] to [${spec.join(',')}]`);
    out[free] = total / rest;
  }
  if (product(out) !== total) throw new OpError(op, `cannot reshape [${inDims.join(',')}] (${total} elements) to [${out.join(',')}]`);
  return out;
}

const reshape = defineOp({
  op: 'Reshape',
  // before opset 5 the target shape was the 'shape' attribute
  attrs: (a, opset) => ({ allowzero: a.int('allowzero', 0) === 1, shape: opset < 5 ? a.ints('shape') : undefined }),
  infer: ([x, s], { shape }) => {
    const rank = shape?.length ?? (s?.shape && typeof s.shape[0] === 'number' ? s.shape[0] : null);
    return [x ? tensorType(x.dtype, rank === null ? null : new Array<null>(rank).fill(null)) : null];
  },
  run: ([x, s], { allowzero, shape }) => {
    const data = need('Reshape', x, 'data');
    const spec = shape ?? ints(need('Reshape', s, 'shape'));
    return [withDims(data, reshapeDims('Reshape', data.dims, spec, allowzero))];
  },
});

const flatten = defineOp({
  op: 'Flatten',
  attrs: (a) => ({ axis: a.int('axis', 1) }),
  infer: ([x], { axis }) => {
    if (!x?.shape) return [x ? tensorType(x.dtype, [null, null]) : null];
    const r = x.shape.length;
    const ax = axis < 0 ? axis + r : axis;
    const outer = knownProduct(x.shape.slice(0, ax));
    const inner = knownProduct(x.shape.slice(ax));
    return [tensorType(x.dtype, [outer, inner])];
  },
  run: ([x], { axis }) => {
    const t = need('Flatten', x, 'input');
    const r = t.dims.length;
    const ax = axis < 0 ? axis + r : axis;
    if (ax < 0 || ax > r) throw new OpError('Flatten', `axis ${axis} is out of range for rank ${r}`);
    return [withDims(t, [product(t.dims, 0, ax), product(t.dims, ax)])];
  },
});

const squeeze = defineOp({
  op: 'Squeeze',
  attrs: (a, opset) => ({ axes: opset < 13 ? a.ints('axes') : undefined }),
  infer: ([x], { axes }) => {
    if (!x?.shape || !axes) return [x ? tensorType(x.dtype, null) : null];
    const drop = normAxes('Squeeze', axes, x.shape.length);
    return [tensorType(x.dtype, x.shape.filter((_, i) => !drop.includes(i)))];
  },
  run: ([x, axesIn], { axes }) => {
    const t = need('Squeeze', x, 'data');
    // axes come from the attribute before opset 13, from the optional second input after
    const given = axes ?? (axesIn ? ints(axesIn) : undefined);
    const drop = given ? normAxes('Squeeze', given, t.dims.length) : t.dims.flatMap((d, i) => (d === 1 ? [i] : []));
    for (const a of drop) {
      if (t.dims[a] !== 1) throw new OpError('Squeeze', `cannot squeeze axis ${a} of size ${t.dims[a]} in [${t.dims.join(',')}]`);
    }
    return [withDims(t, t.dims.filter((_, i) => !drop.includes(i)))];
  },
});

/** Unsqueeze's output dims: axes index the output, whose rank is rank + axes.length. */
function unsqueezeDims<D extends Dim>(dims: readonly D[], axes: readonly number[]): (D | 1)[] {
  const rank = dims.length + axes.length;
  const at = new Set(normAxes('Unsqueeze', axes, rank));
  const out: (D | 1)[] = [];
  let k = 0;
  for (let i = 0; i < rank; i++) out.push(at.has(i) ? 1 : dims[k++]);
  return out;
}

const unsqueeze = defineOp({
  op: 'Unsqueeze',
  attrs: (a, opset) => ({ axes: opset < 13 ? a.ints('axes') : undefined }),
  infer: ([x], { axes }) => {
    if (!x?.shape || !axes) return [x ? tensorType(x.dtype, null) : null];
    return [tensorType(x.dtype, unsqueezeDims(x.shape, axes))];
  },
  run: ([x, axesIn], { axes }) => {
    const t = need('Unsqueeze', x, 'data');
    const given = axes ?? ints(need('Unsqueeze', axesIn, 'axes'));
    return [withDims(t, unsqueezeDims(t.dims, given))];
  },
});

export const shapeOps = [shape, size, reshape, flatten, squeeze, unsqueeze];
