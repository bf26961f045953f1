// Max and average pooling over NHWC: per output pixel, the window clipped to the input, four
// channels per vector (a 3×3 window inside the input unrolled). Max uses pmax, one instruction,
// which like the reference's `v > max` lets a NaN stand only where it comes first. Global pooling
// is a reduction (reduce.ts) over the [H·W, C] view.

@inline function clipLo(o: i32, s: i32, p: i32, d: i32): i32 {
  // first tap k with o·s - p + k·d ≥ 0
  const start = o * s - p;
  return start >= 0 ? 0 : (-start + d - 1) / d;
}

@inline function clipHi(o: i32, s: i32, p: i32, d: i32, k: i32, n: i32): i32 {
  // one past the last tap k < K with o·s - p + k·d < n
  const start = o * s - p;
  if (start >= n) return 0;
  return min(k, (n - 1 - start) / d + 1);
}

/** A 3×3 window wholly inside the input: nine loads per four channels, the pointers set once. */
@inline function max3x3(x: usize, C: i32, rowBytes: usize, colBytes: usize, out: usize): void {
  const r1 = x + rowBytes, r2 = r1 + rowBytes;
  const c2 = colBytes + colBytes;
  let c = 0;
  for (; c + 4 <= C; c += 4) {
    const o = <usize>c << 2;
    let m = f32x4.pmax(v128.load(x + o), v128.load(x + colBytes + o));
    m = f32x4.pmax(m, v128.load(x + c2 + o));
    m = f32x4.pmax(m, v128.load(r1 + o));
    m = f32x4.pmax(m, v128.load(r1 + colBytes + o));
    m = f32x4.pmax(m, v128.load(r1 + c2 + o));
    m = f32x4.pmax(m, v128.load(r2 + o));
    m = f32x4.pmax(m, v128.load(r2 + colBytes + o));
    m = f32x4.pmax(m, v128.load(r2 + c2 + o));
    v128.store(out + o, m);
  }
  for (; c < C; c++) {
    const o = <usize>c << 2;
    let m = load<f32>(x + o);
    for (let t = 1; t < 9; t++) m = max(m, load<f32>(x + <usize>(t / 3) * rowBytes + <usize>(t % 3) * colBytes + o));
    store<f32>(out + o, m);
  }
}

/** One image: x [H, W, C] → y [OH, OW, C], the maximum over each window (pads never win). */
export function maxpool_nhwc_f32(
  x: usize, H: i32, W: i32, C: i32, y: usize, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32,
): void {
  const C4 = <usize>C << 2;
  const three = KH == 3 && KW == 3;
  for (let oy = 0; oy < OH; oy++) {
    const ky0 = clipLo(oy, SH, PT, DH), ky1 = clipHi(oy, SH, PT, DH, KH, H);
    for (let ox = 0; ox < OW; ox++) {
      const kx0 = clipLo(ox, SW, PL, DW), kx1 = clipHi(ox, SW, PL, DW, KW, W);
      const out = y + <usize>(oy * OW + ox) * C4;
      if (three && ky0 == 0 && ky1 == 3 && kx0 == 0 && kx1 == 3) {
        const at = x + <usize>((oy * SH - PT) * W + ox * SW - PL) * C4;
        max3x3(at, C, <usize>(W * DH) * C4, <usize>DW * C4, out);
        continue;
      }
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const co = <usize>c << 2;
        let m = f32x4.splat(-Infinity);
        for (let ky = ky0; ky < ky1; ky++) {
          const row = x + <usize>((oy * SH - PT + ky * DH) * W) * C4 + co;
          for (let kx = kx0; kx < kx1; kx++) m = f32x4.pmax(m, v128.load(row + <usize>(ox * SW - PL + kx * DW) * C4));
        }
        v128.store(out + co, m);
      }
      for (; c < C; c++) {
        const co = <usize>c << 2;
        let m: f32 = -Infinity;
        for (let ky = ky0; ky < ky1; ky++) {
          const row = x + <usize>((oy * SH - PT + ky * DH) * W) * C4 + co;
          for (let kx = kx0; kx < kx1; kx++) m = max(m, load<f32>(row + <usize>(ox * SW - PL + kx * DW) * C4));
        }
        store<f32>(out + co, m);
      }
    }
  }
}

/**
 * One image: x [H, W, C] → y [OH, OW, C], the mean over each window: over the taps inside the
 * input, or (countPad) over those inside the padded extent [-PT, H + PB) × [-PL, W + PR).
 */
export function avgpool_nhwc_f32(
  x: usize, H: i32, W: i32, C: i32, y: usize, OH: i32, OW: i32,
  KH: i32, KW: i32, SH: i32, SW: i32, DH: i32, DW: i32, PT: i32, PL: i32, PB: i32, PR: i32, countPad: i32,
): void {
  const C4 = <usize>C << 2;
  for (let oy = 0; oy < OH; oy++) {
    const ky0 = clipLo(oy, SH, PT, DH), ky1 = clipHi(oy, SH, PT, DH, KH, H);
    // taps inside the padded extent (a window never starts before -PT)
    const py = clipHi(oy, SH, PT, DH, KH, H + PB);
    for (let ox = 0; ox < OW; ox++) {
      const kx0 = clipLo(ox, SW, PL, DW), kx1 = clipHi(ox, SW, PL, DW, KW, W);
      const px = clipHi(ox, SW, PL, DW, KW, W + PR);
      const n = countPad ? py * px : max(0, ky1 - ky0) * max(0, kx1 - kx0);
      const inv = f32x4.splat(n > 0 ? <f32>1 / <f32>n : 0);
      const out = y + <usize>(oy * OW + ox) * C4;
      let c = 0;
      for (; c + 4 <= C; c += 4) {
        const co = <usize>c << 2;
        let s = f32x4.splat(0);
        for (let ky = ky0; ky < ky1; ky++) {
          const row = x + <usize>((oy * SH - PT + ky * DH) * W) * C4 + co;
          for (let kx = kx0; kx < kx1; kx++) s = f32x4.add(s, v128.load(row + <usize>(ox * SW - PL + kx * DW) * C4));
        }
        v128.store(out + co, f32x4.mul(s, inv));
      }
      for (; c < C; c++) {
        const co = <usize>c << 2;
        let s: f32 = 0;
        for (let ky = ky0; ky < ky1; ky++) {
          const row = x + <usize>((oy * SH - PT + ky * DH) * W) * C4 + co;
          for (let kx = kx0; kx < kx1; kx++) s += load<f32>(row + <usize>(ox * SW - PL + kx * DW) * C4);
        }
        store<f32>(out + co, s * f32x4.extract_lane(inv, 0));
      }
    }
  }
}
