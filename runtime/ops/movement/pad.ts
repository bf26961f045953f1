// Pad: constant, reflect, edge and wrap padding (negative pads crop). The pads were attributes
// before opset 11 ('paddings' in opset 1) and inputs after; the axes input came in opset 18.

import { fromNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type Attrs } from '../spec';
import { elemAt, ints, mappedIndex, need, normAxes, takeOr, tensorType } from './util';

export type Mode = 'constant' | 'reflect' | 'edge' | 'wrap';
const MODES: readonly Mode[] = ['constant', 'reflect', 'edge', 'wrap'];

/** The input coordinate an out-of-range position x maps to, or -1 for the constant value. */
export const OUTSIDE: Record<Mode, (x: number, dim: number) => number> = {
  constant: () => -1,
  edge: (x, dim) => Math.min(Math.max(x, 0), dim - 1),
  wrap: (x, dim) => ((x % dim) + dim) % dim,
  reflect: (x, dim) => {
    if (dim === 1) return 0;
    const period = 2 * (dim - 1);
    const m = ((x % period) + period) % period;
    return m < dim ? m : period - m;
  },
};

/** Pads `t`; `pads` holds all begins then all ends, one per axis of `t`. */
export function padTensor(t: Tensor, mode: Mode, pads: readonly number[], fill: unknown): Tensor {
  const rank = t.dims.length;
  const maps = t.dims.map((dim, a) => {
    const begin = pads[a];
    const len = dim + begin + pads[a + rank];
    if (len < 0) throw new OpError('Pad', `pads [${pads.join(',')}] crop axis ${a} of size ${dim} below zero`);
    if (mode !== 'constant' && dim === 0 && len > 0) throw new OpError('Pad', `cannot ${mode}-pad an empty axis`);
    const m = new Int32Array(len);
    for (let c = 0; c < len; c++) {
      const x = c - begin;
      m[c] = x >= 0 && x < dim ? x : OUTSIDE[mode](x, dim);
    }
    return m;
  });
  return takeOr(t, maps.map((m) => m.length), mappedIndex(t.dims, maps), fill);
}

/** Pad's attributes: the mode, and before opset 11 the pads and fill value (inputs after). */
export function padAttrs(a: Attrs, opset: number): { mode: Mode; pads: readonly number[] | undefined; value: number } {
  const mode = a.string('mode', 'constant') as Mode;
  if (!MODES.includes(mode)) throw new OpError('Pad', `mode must be one of ${MODES.join(', ')}, got '${mode}'`);
  if (opset >= 11) return { mode, pads: undefined, value: 0 };
  return { mode, pads: a.ints(opset < 2 ? 'paddings' : 'pads'), value: a.float('value', 0) };
}

const pad = defineOp({
  op: 'Pad',
  attrs: padAttrs,
  // The output's dims when the pads (and axes) are known at compile time: a Pad before a large
  // activation is too big to probe by running it, and unknown dims there would leave every shape
  // after it unknown.
  infer: (inputs, attrs, _opset, constants) => {
    const x = inputs[0];
    if (!x) return [null];
    const unknown = [tensorType(x.dtype, x.shape ? x.shape.map(() => null) : null)];
    const given = attrs.pads ?? (constants?.[1] && ints(constants[1]));
    // an axes input whose values are not known (or whose presence cannot be told apart from an unknown type)
    if (!given || !x.shape || (inputs.length > 3 && !constants?.[3])) return unknown;
    try {
      const rank = x.shape.length;
      const pads = allAxes(given, constants?.[3], rank);
      const dims = x.shape.map((d, a) => (typeof d === 'number' ? d + pads[a] + pads[a + rank] : null));
      return [tensorType(x.dtype, dims.map((d) => (d === null || d >= 0 ? d : null)))];
    } catch {
      return unknown;
    }
  },
  run: ([x, p, cv, ax], attrs) => {
    const t = need('Pad', x, 'data');
    const rank = t.dims.length;
    let pads: readonly number[] = attrs.pads ?? ints(need('Pad', p, 'pads'));
    let fill: unknown = t.type === 'string' ? '' : elemAt(fromNumbers(t.type, [1], [attrs.value]), 0);
    if (cv && cv.data.length > 0) {
      if (cv.type !== t.type) throw new OpError('Pad', `constant_value must be ${t.type}, got ${cv.type}`);
      fill = elemAt(cv, 0);
    }
    pads = allAxes(pads, ax, rank);
    return [padTensor(t, attrs.mode, pads, fill)];
  },
});

/** The pads of every axis (all begins, then all ends) from pads that name only `axes` (opset 18), if given. */
function allAxes(pads: readonly number[], axes: Tensor | undefined, rank: number): readonly number[] {
  if (axes) {
    const named = normAxes('Pad', ints(axes), rank);
    if (pads.length !== 2 * named.length) throw new OpError('Pad', `pads must hold ${2 * named.length} values for axes [${named.join(',')}]`);
    const full = new Array<number>(2 * rank).fill(0);
    named.forEach((a, i) => {
      full[a] = pads[i];
      full[a + rank] = pads[i + named.length];
    });
    return full;
  }
  if (pads.length !== 2 * rank) throw new OpError('Pad', `pads must hold ${2 * rank} values for rank ${rank}, got ${pads.length}`);
  return pads;
}

export const padOps = [pad];
