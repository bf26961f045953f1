// Walking a contiguous output over a broadcast or strided view of its inputs: the output's
// shape and each input's element strides (0 where it broadcasts) live in linear memory as i32
// arrays; the innermost axis is a row that kernels run as one loop, and this odometer steps the
// outer axes between rows, moving each input's offset by its strides.

/** Coordinates of the outer axes, one i32 each (up to 32 axes; no ONNX model comes near). */
const COORD: usize = memory.data(4 * 32, 16);

@inline export function dimAt(dims: usize, d: i32): i32 {
  return load<i32>(dims + (<usize>d << 2));
}

/** The number of rows: the product of all axes but the last. */
export function rowCount(dims: usize, rank: i32): i32 {
  let n = 1;
  for (let d = 0; d < rank - 1; d++) n *= dimAt(dims, d);
  return n;
}

export function resetCoords(rank: i32): void {
  for (let d = 0; d < rank; d++) store<i32>(COORD + (<usize>d << 2), 0);
}

/**
 * Advances the outer coordinates by one row: returns the axis that advanced (every outer axis
 * after it wrapped to 0), or -1 after the last row. `delta` turns that into an input's offset step.
 */
@inline export function stepAxis(dims: usize, rank: i32): i32 {
  for (let d = rank - 2; d >= 0; d--) {
    const p = COORD + (<usize>d << 2);
    const c = load<i32>(p) + 1;
    if (c < dimAt(dims, d)) {
      store<i32>(p, c);
      return d;
    }
    store<i32>(p, 0);
  }
  return -1;
}

/** The offset change for strides `s` when axis `d` advanced and every later outer axis wrapped. */
@inline export function delta(dims: usize, s: usize, rank: i32, d: i32): i32 {
  let r = dimAt(s, d);
  for (let k = d + 1; k < rank - 1; k++) r -= (dimAt(dims, k) - 1) * dimAt(s, k);
  return r;
}

/** The current coordinate of outer axis d. */
@inline export function coordAt(d: i32): i32 {
  return load<i32>(COORD + (<usize>d << 2));
}
