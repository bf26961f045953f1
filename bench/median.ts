// The median the benchmarks report (p50): the lower middle of the sorted values.

export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
}
