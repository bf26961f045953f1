// Per-matrix ops over the last two dims: Det (LU with partial pivoting) and Trilu (keep the
// upper or lower triangle from diagonal k).

import { allocData, fromNumbers, sizeOf, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type OpSpec } from '../spec';
import { need, needFloat, sameAsInput, scalarInt, tensorType } from './util';

/** Determinant of the n×n matrix at a[off…], destroying that slice of `a`. */
function det(a: Float64Array, off: number, n: number): number {
  let d = 1;
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(a[off + r * n + c]) > Math.abs(a[off + piv * n + c])) piv = r;
    const pv = a[off + piv * n + c];
    if (pv === 0) return 0;
    if (piv !== c) {
      for (let j = 0; j < n; j++) {
        const t = a[off + c * n + j];
        a[off + c * n + j] = a[off + piv * n + j];
        a[off + piv * n + j] = t;
      }
      d = -d;
    }
    d *= pv;
    for (let r = c + 1; r < n; r++) {
      const f = a[off + r * n + c] / pv;
      if (f === 0) continue;
      for (let j = c + 1; j < n; j++) a[off + r * n + j] -= f * a[off + c * n + j];
    }
  }
  return d;
}

export const detOp = defineOp<Record<string, never>>({
  op: 'Det',
  attrs: () => ({}),
  infer: ([x]) => [x ? tensorType(x.dtype, x.shape ? x.shape.slice(0, -2) : null) : null],
  run: (inputs) => {
    const x = needFloat('Det', need('Det', inputs[0], 'X'));
    const r = x.dims.length;
    const n = x.dims[r - 1];
    if (r < 2 || x.dims[r - 2] !== n) throw new OpError('Det', `X must be [..., M, M], got [${x.dims.join(',')}]`);
    const a = toNumbers(x);
    const batch = x.dims.slice(0, -2);
    const out = new Float64Array(sizeOf(batch));
    for (let b = 0; b < out.length; b++) out[b] = det(a, b * n * n, n);
    return [fromNumbers(x.type, batch, out)];
  },
});

/** Element access shared by typed arrays and string arrays. */
type Indexable = { [i: number]: number | bigint | string };

export const triluOp = defineOp<{ upper: boolean }>({
  op: 'Trilu',
  attrs: (a) => ({ upper: a.int('upper', 1) !== 0 }),
  infer: (inputs) => sameAsInput(inputs),
  run: (inputs, at) => {
    const x = need('Trilu', inputs[0], 'input');
    const r = x.dims.length;
    if (r < 2) throw new OpError('Trilu', `input must have rank ≥ 2, got [${x.dims.join(',')}]`);
    const k = scalarInt('Trilu', inputs[1], 'k', 0);
    const rows = x.dims[r - 2];
    const cols = x.dims[r - 1];
    const total = sizeOf(x.dims);
    // copy the kept elements; the others stay at the zero value of allocData ('' for strings)
    const out = allocData(x.type, total) as unknown as Indexable;
    const src = x.data as unknown as Indexable;
    for (let base = 0; base < total; base += rows * cols) {
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const keep = at.upper ? j - i >= k : j - i <= k;
          if (keep) out[base + i * cols + j] = src[base + i * cols + j];
        }
      }
    }
    return [{ type: x.type, dims: [...x.dims], data: out as unknown as Tensor['data'] }];
  },
});

export const matrixOps: OpSpec[] = [detOp, triluOp];
