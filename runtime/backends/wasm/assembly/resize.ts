// Resize over the two spatial axes as a separable filter given by tap tables the plan computes
// (every coordinate mode and rounding rule is settled there): for each output row, `ny` taps
// (source row, weight), likewise per output column. Nearest is one tap, linear two, cubic four.

/** Tap k of output position o in a table of `n` taps per position: i32 index, f32 weight. */
@inline function tapIndex(t: usize, o: i32, n: i32, k: i32): i32 {
  return load<i32>(t + (<usize>(o * n + k) << 3));
}

@inline function tapWeight(t: usize, o: i32, n: i32, k: i32): f32 {
  return load<f32>(t + (<usize>(o * n + k) << 3), 4);
}

/** NHWC: x [outer, H, W, C] → y [outer, OH, OW, C], four channels per vector. */
export function resize_nhwc_f32(x: usize, y: usize, outer: i32, H: i32, W: i32, C: i32, OH: i32, OW: i32, ty: usize, ny: i32, tx: usize, nx: i32): void {
  const C4 = <usize>C << 2;
  for (let o = 0; o < outer; o++) {
    const xo = x + <usize>o * <usize>(H * W) * C4;
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        const out = y + (<usize>(o * OH + oy) * <usize>OW + <usize>ox) * C4;
        let c = 0;
        for (; c + 4 <= C; c += 4) {
          let acc = f32x4.splat(0);
          for (let a = 0; a < ny; a++) {
            const row = xo + <usize>tapIndex(ty, oy, ny, a) * <usize>W * C4 + (<usize>c << 2);
            const wy = tapWeight(ty, oy, ny, a);
            let racc = f32x4.splat(0);
            for (let b = 0; b < nx; b++) {
              racc = f32x4.add(racc, f32x4.mul(v128.load(row + <usize>tapIndex(tx, ox, nx, b) * C4), f32x4.splat(tapWeight(tx, ox, nx, b))));
            }
            acc = f32x4.add(acc, f32x4.mul(racc, f32x4.splat(wy)));
          }
          v128.store(out + (<usize>c << 2), acc);
        }
        for (; c < C; c++) {
          let acc: f32 = 0;
          for (let a = 0; a < ny; a++) {
            const row = xo + <usize>tapIndex(ty, oy, ny, a) * <usize>W * C4 + (<usize>c << 2);
            let racc: f32 = 0;
            for (let b = 0; b < nx; b++) racc += load<f32>(row + <usize>tapIndex(tx, ox, nx, b) * C4) * tapWeight(tx, ox, nx, b);
            acc += racc * tapWeight(ty, oy, ny, a);
          }
          store<f32>(out + (<usize>c << 2), acc);
        }
      }
    }
  }
}

/** Planes: x [planes, H, W] → y [planes, OH, OW]. */
export function resize_planes_f32(x: usize, y: usize, planes: i32, H: i32, W: i32, OH: i32, OW: i32, ty: usize, ny: i32, tx: usize, nx: i32): void {
  for (let p = 0; p < planes; p++) {
    const xp = x + ((<usize>p * <usize>(H * W)) << 2);
    const yp = y + ((<usize>p * <usize>(OH * OW)) << 2);
    for (let oy = 0; oy < OH; oy++) {
      for (let ox = 0; ox < OW; ox++) {
        let acc: f32 = 0;
        for (let a = 0; a < ny; a++) {
          const row = xp + ((<usize>tapIndex(ty, oy, ny, a) * <usize>W) << 2);
          let racc: f32 = 0;
          for (let b = 0; b < nx; b++) racc += load<f32>(row + (<usize>tapIndex(tx, ox, nx, b) << 2)) * tapWeight(tx, ox, nx, b);
          acc += racc * tapWeight(ty, oy, ny, a);
        }
        store<f32>(yp + ((<usize>(oy * OW + ox)) << 2), acc);
      }
    }
  }
}
