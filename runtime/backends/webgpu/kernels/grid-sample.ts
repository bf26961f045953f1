// GridSample (opset 16 2-D, opset 20+ N-D): one invocation per (batch, output point) turns the
// grid's normalized coordinates into taps per spatial axis (nearest, linear or cubic; zeros,
// border or reflection padding), combines them into at most 4^r (offset, weight) pairs once, and
// then sums them for every channel. The oracle is runtime/ops/nn/grid-sample.ts.

import type { KernelGenerator } from '../kernel';
import { unsupported } from '../kernel';
import { declareBuffers, f32Lit, flatMain, grid1d, stridesOf } from '../wgsl';
import { isF32, prod } from './conv-common';

interface GridAttrs {
  readonly mode: 'nearest' | 'linear' | 'cubic';
  readonly padding: 'zeros' | 'border' | 'reflection';
  readonly alignCorners: boolean;
}

// reflect x into [lo, hi], as the ONNX reference does (whole ranges flip the direction)
const REFLECT = `fn k_reflect(x: f32, lo: f32, hi: f32) -> f32 {
  let rng = hi - lo;
  if (x < lo) {
    let dx = lo - x;
    let n = trunc(dx / rng);
    let r = dx - n * rng;
    return select(hi - r, lo + r, fract(n * 0.5f) == 0.0f);
  }
  if (x > hi) {
    let dx = x - hi;
    let n = trunc(dx / rng);
    let r = dx - n * rng;
    return select(lo + r, hi - r, fract(n * 0.5f) == 0.0f);
  }
  return x;
}`;

// the bicubic weights of taps -1, 0, 1, 2 at fraction t (A = -0.75)
const CUBIC = `fn k_cubic(t: f32) -> vec4f {
  let A = -0.75f;
  let x = abs(t);
  return vec4f(
    ((A * (x + 1.0f) - 5.0f * A) * (x + 1.0f) + 8.0f * A) * (x + 1.0f) - 4.0f * A,
    ((A + 2.0f) * x - (A + 3.0f)) * x * x + 1.0f,
    ((A + 2.0f) * (1.0f - x) - (A + 3.0f)) * (1.0f - x) * (1.0f - x) + 1.0f,
    ((A * (2.0f - x) - 5.0f * A) * (2.0f - x) + 8.0f * A) * (2.0f - x) - 4.0f * A);
}`;

export const gridSampleKernel: KernelGenerator<GridAttrs> = ({ attrs, inputs }) => {
  const [x, grid] = inputs;
  if (!x || !grid || !isF32(x) || !isF32(grid)) return unsupported(`no GPU kernel for ${x?.dtype} inputs`);
  const r = x.dims.length - 2;
  if (r < 1 || grid.dims.length !== r + 2 || grid.dims[r + 1] !== r || grid.dims[0] !== x.dims[0]) {
    return unsupported(`grid [${grid.dims.join(',')}] does not match X [${x.dims.join(',')}]`);
  }
  const [N, C] = x.dims;
  const dims = x.dims.slice(2);
  const P = prod(grid.dims.slice(1, -1));
  const n = N * P;
  if (n * C === 0) return { kind: 'dispatch', dispatches: [] };
  if (prod(dims) === 0) return unsupported('cannot sample an empty input');
  const strides = stridesOf(dims);
  const taps = attrs.mode === 'nearest' ? 1 : attrs.mode === 'linear' ? 2 : 4;
  const combos = taps ** r;

  // per spatial axis: its taps' source indices (-1: a zero tap) and weights
  const axes = dims.map((size, d) => {
    const lo = attrs.alignCorners ? 0 : -0.5;
    const hi = attrs.alignCorners ? size - 1 : size - 0.5;
    const fetch = (i: string) =>
      attrs.padding === 'zeros' ? `select(-1i, ${i}, ${i} >= 0i && ${i} < ${size}i)`
        : attrs.padding === 'border' ? `clamp(${i}, 0i, ${size - 1}i)`
          : `i32(trunc(k_reflect(f32(${i}), ${f32Lit(lo)}, ${f32Lit(hi)})))`;
    const outside = attrs.padding === 'border' ? `k_c = clamp(k_c, 0.0f, ${f32Lit(size - 1)});`
      : attrs.padding === 'reflection' ? `k_c = k_reflect(k_c, ${f32Lit(lo)}, ${f32Lit(hi)});` : '';
    let tapCode: string;
    if (attrs.mode === 'nearest') tapCode = `let k_i = i32(trunc(k_c)); k_o${d}[0] = ${fetch('k_i')}; k_w${d}[0] = 1.0f;`;
    else {
      const ws = attrs.mode === 'linear' ? 'vec2f(1.0f - k_t, k_t)' : 'k_cubic(k_t)';
      const first = attrs.mode === 'linear' ? 0 : -1;
      tapCode = `let k_c0 = floor(k_c);
    let k_t = k_c - k_c0;
    let k_ws = ${ws};
    for (var t = 0; t < ${taps}; t = t + 1) {
      let k_i = i32(k_c0) + ${first === 0 ? 't' : `t - 1`};
      k_o${d}[t] = ${fetch('k_i')};
      k_w${d}[t] = k_ws[t];
    }`;
    }
    // the grid stores coordinates innermost axis first (x, y[, z])
    const g = `k_grid[k_gb + ${r - 1 - d}u]`;
    const coord = attrs.alignCorners ? `(${g} + 1.0f) * 0.5f * ${f32Lit(size - 1)}` : `((${g} + 1.0f) * ${f32Lit(size)} - 1.0f) * 0.5f`;
    return `  var k_o${d}: array<i32, ${taps}>;
  var k_w${d}: array<f32, ${taps}>;
  {
    var k_c = ${coord};
    ${attrs.mode === 'nearest' ? 'k_c = round(k_c); // rounds half to even, like numpy.rint' : ''}
    ${outside ? `if (k_c < ${f32Lit(lo)} || k_c > ${f32Lit(hi)}) { ${outside} }` : ''}
    ${tapCode}
  }`;
  });
  // every combination of one tap per axis, skipping zero taps and zero weights as the reference does
  let combine = `let k_w = ${dims.map((_, d) => `k_w${d}[t${d}]`).join(' * ')};
    if (k_w != 0.0f) {
      k_to[k_cnt] = ${dims.map((_, d) => `u32(k_o${d}[t${d}]) * ${strides[d]}u`).join(' + ')};
      k_tw[k_cnt] = k_w;
      k_cnt = k_cnt + 1u;
    }`;
  for (let d = r - 1; d >= 0; d--) {
    combine = `for (var t${d} = 0; t${d} < ${taps}; t${d} = t${d} + 1) {
    if (k_o${d}[t${d}] < 0i) { continue; }
    ${combine}
  }`;
  }
  const body = `  let k_n = idx / ${P}u;
  let k_p = idx % ${P}u;
  let k_gb = idx * ${r}u;
${axes.join('\n')}
  var k_to: array<u32, ${combos}>;
  var k_tw: array<f32, ${combos}>;
  var k_cnt = 0u;
  ${combine}
  for (var k_ch = 0u; k_ch < ${C}u; k_ch = k_ch + 1u) {
    let k_base = (k_n * ${C}u + k_ch) * ${prod(dims)}u;
    var k_acc = 0.0f;
    for (var q = 0u; q < k_cnt; q = q + 1u) { k_acc = fma(k_tw[q], k_x[k_base + k_to[q]], k_acc); }
    k_y[(k_n * ${C}u + k_ch) * ${P}u + k_p] = k_acc;
  }`;
  const decls = declareBuffers([
    { name: 'k_x', type: 'f32', access: 'read' },
    { name: 'k_grid', type: 'f32', access: 'read' },
    { name: 'k_y', type: 'f32', access: 'read_write' },
  ]);
  const fns = [attrs.padding === 'reflection' ? REFLECT : '', attrs.mode === 'cubic' ? CUBIC : ''].filter(Boolean).join('\n');
  return {
    kind: 'dispatch',
    dispatches: [{
      wgsl: `${decls}\n${fns}\n${flatMain(n, body, 64)}`,
      workgroups: grid1d(n, 64),
      bindings: [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }, { kind: 'output', index: 0 }],
      label: `grid_sample_${attrs.mode}`,
    }],
  };
};

export const gridSampleKernels: Record<string, KernelGenerator> = {
  GridSample: gridSampleKernel as KernelGenerator,
};
