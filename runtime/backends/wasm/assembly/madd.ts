// acc + a·b on four f32 lanes: where the module is built with relaxed SIMD (the relaxed variant,
// kiln-kernels-relaxed.wasm), one relaxed multiply-add, which the engine may fuse (x86 FMA, Arm
// FMLA: half the instructions of the inner loops); otherwise a multiply, then an add.

@inline export function madd(acc: v128, a: v128, b: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, acc);
  return f32x4.add(acc, f32x4.mul(a, b));
}
