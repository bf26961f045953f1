// A fused chain of elementwise float32 ops (the lowering's expression fusion): a small program
// over registers, run block by block — each instruction sweeps a block of 256 floats held in L1,
// so the interpretation costs once per block while the data is read and written once in all.
// Operands are registers or scalar constants.

import { ACT_HARD_SWISH, act4, cheap4 } from './activation';

export const X_LOAD = 0; // r[d] = x
export const X_ADD = 1; // r[d] = r[a] + r[b]
export const X_SUB = 2;
export const X_MUL = 3;
export const X_DIV = 4;
export const X_ADD_C = 5; // r[d] = r[a] + c[b]
export const X_SUB_C = 6; // r[d] = r[a] - c[b]
export const X_RSUB_C = 7; // r[d] = c[b] - r[a]
export const X_MUL_C = 8;
export const X_DIV_C = 9; // r[d] = r[a] / c[b]
export const X_RDIV_C = 10; // r[d] = c[b] / r[a]
export const X_ACT = 11; // r[d] = act(r[a]), act code b, parameters c[p], c[p + 1]

const BLOCK = 256;

/** Instruction k: four i32s (op, d, a, b) and for X_ACT a fifth, the parameter index. */
@inline function field(prog: usize, k: i32, f: i32): i32 {
  return load<i32>(prog + (<usize>(k * 5 + f) << 2));
}

/** y = the program's last register over n floats of x; `regs` is scratch for 8 blocks. */
export function expr_f32(x: usize, y: usize, n: i32, prog: usize, count: i32, consts: usize, regs: usize, out: i32): void {
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const m = min(BLOCK, n - i0);
    const mv = (m + 3) & ~3; // whole vectors (a block's tail past n is computed, not stored)
    for (let k = 0; k < count; k++) {
      const op = field(prog, k, 0);
      const d = regs + (<usize>(field(prog, k, 1) * BLOCK) << 2);
      const a = field(prog, k, 2), b = field(prog, k, 3);
      const ra = regs + (<usize>(a * BLOCK) << 2), rb = regs + (<usize>(b * BLOCK) << 2);
      if (op == X_LOAD) {
        memory.copy(d, x + (<usize>i0 << 2), <usize>m << 2);
        continue;
      }
      if (op == X_ACT) {
        const p = field(prog, k, 4);
        const p0 = load<f32>(consts + (<usize>p << 2)), p1 = load<f32>(consts + (<usize>(p + 1) << 2));
        if (b <= ACT_HARD_SWISH) for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), cheap4(v128.load(ra + (<usize>j << 2)), b, p0, p1));
        else for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), act4(v128.load(ra + (<usize>j << 2)), b, p0, p1));
        continue;
      }
      const c = f32x4.splat(load<f32>(consts + (<usize>b << 2)));
      switch (op) {
        case X_ADD: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.add(v128.load(ra + (<usize>j << 2)), v128.load(rb + (<usize>j << 2)))); break;
        case X_SUB: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.sub(v128.load(ra + (<usize>j << 2)), v128.load(rb + (<usize>j << 2)))); break;
        case X_MUL: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.mul(v128.load(ra + (<usize>j << 2)), v128.load(rb + (<usize>j << 2)))); break;
        case X_DIV: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.div(v128.load(ra + (<usize>j << 2)), v128.load(rb + (<usize>j << 2)))); break;
        case X_ADD_C: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.add(v128.load(ra + (<usize>j << 2)), c)); break;
        case X_SUB_C: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.sub(v128.load(ra + (<usize>j << 2)), c)); break;
        case X_RSUB_C: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.sub(c, v128.load(ra + (<usize>j << 2)))); break;
        case X_MUL_C: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.mul(v128.load(ra + (<usize>j << 2)), c)); break;
        case X_DIV_C: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.div(v128.load(ra + (<usize>j << 2)), c)); break;
        default: for (let j = 0; j < mv; j += 4) v128.store(d + (<usize>j << 2), f32x4.div(c, v128.load(ra + (<usize>j << 2)))); // X_RDIV_C
      }
    }
    memory.copy(y + (<usize>i0 << 2), regs + (<usize>(out * BLOCK) << 2), <usize>m << 2);
  }
}
