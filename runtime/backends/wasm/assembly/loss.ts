// NegativeLogLikelihoodLoss over log-probabilities [N, C, D] (SoftmaxCrossEntropyLoss runs the
// log-softmax kernel first): -logp[n, target, d]·weight[target] per position, targets equal to
// ignore_index skipped, reduced as none, sum or mean (over the weights of the counted targets).
// Sums accumulate in f64, as the reference's do.

/** reduction: 0 none (y [N·D]), 1 sum, 2 mean (y one float); weight 0: none. */
export function nll_loss_f32(
  logp: usize, N: i32, C: i32, D: i32, target: usize, t64: i32, weight: usize, hasIgnore: i32, ignore: i32, reduction: i32, y: usize,
): void {
  let sum: f64 = 0, wsum: f64 = 0;
  for (let n = 0; n < N; n++) {
    for (let d = 0; d < D; d++) {
      const k = n * D + d;
      const cls = t64 ? <i32>load<i64>(target + (<usize>k << 3)) : load<i32>(target + (<usize>k << 2));
      let loss: f32 = 0;
      if (!(hasIgnore && cls == ignore)) {
        if (cls < 0 || cls >= C) unreachable(); // the reference raises
        const w: f32 = weight ? load<f32>(weight + (<usize>cls << 2)) : 1;
        loss = -load<f32>(logp + (<usize>((n * C + cls) * D + d) << 2)) * w;
        wsum += <f64>w;
      }
      if (reduction == 0) store<f32>(y + (<usize>k << 2), loss);
      else sum += <f64>loss;
    }
  }
  if (reduction == 1) store<f32>(y, <f32>sum);
  else if (reduction == 2) store<f32>(y, <f32>(sum / wsum));
}
