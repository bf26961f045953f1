// Resize (opset 10 and 11+) and Upsample with scales/sizes (and roi) known at compile time.
// Every resized axis gets a tap table (source index, weight per output coordinate) worked out
// here in float64 by the ONNX rules — every nearest mode, linear and cubic, all
// coordinate_transformation_modes, exclude_outside, antialias, tf_crop_and_resize's extrapolation —
// and baked into the shader as constant arrays; one invocation per output element sums the taps.
// Knob: `workgroup` (invocations per workgroup).

import { toNumbers, type Tensor } from '../../../tensor';
import type { KernelGenerator, LowerArgs } from '../kernel';
import { unsupported } from '../kernel';
import { declareBuffers, f32Lit, flatMain, grid1d, stridesOf } from '../wgsl';
import { helpersFor } from './activation-helpers';
import { epilogue, isF32, prod } from './conv-common';

type Mode = 'nearest' | 'linear' | 'cubic';
type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';

interface ResizeAttrs {
  readonly mode: Mode;
  readonly coord: string;
  readonly nearest: NearestMode;
  readonly cubicA: number;
  readonly excludeOutside: boolean;
  readonly extrapolation: number;
  readonly antialias: boolean;
  readonly axes?: readonly number[];
  readonly keepAspect: 'stretch' | 'not_larger' | 'not_smaller';
  readonly scales?: readonly number[];
}

/** Largest tap table per axis baked into a shader. */
const MAX_TABLE = 16384;

interface AxisTable {
  readonly taps: number;
  /** source index per (output coordinate, tap); -1 where the output takes the extrapolation value */
  readonly index: number[];
  readonly weight: number[];
}

function sourceCoord(at: ResizeAttrs, x: number, inSize: number, outSize: number, scale: number, rs: number, re: number): number {
  const outF = scale * inSize;
  switch (at.coord) {
    case 'align_corners': return outF === 1 ? 0 : (x * (inSize - 1)) / (outF - 1);
    case 'asymmetric': return x / scale;
    case 'tf_crop_and_resize':
      return (outF === 1 ? ((re - rs) * (inSize - 1)) / 2 : (x * (re - rs) * (inSize - 1)) / (outF - 1)) + rs * (inSize - 1);
    case 'pytorch_half_pixel': return outF === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    case 'half_pixel_symmetric': {
      const offset = (inSize / 2) * (1 - outSize / outF);
      return offset + (x + 0.5) / scale - 0.5;
    }
    default: return (x + 0.5) / scale - 0.5;
  }
}

function nearestIndex(mode: NearestMode, x: number, scale: number): number {
  if (Number.isInteger(x)) return x;
  const f = Math.floor(x);
  const r = x - f;
  switch (mode) {
    case 'round_prefer_floor': return r <= 0.5 ? f : f + 1;
    case 'round_prefer_ceil': return r < 0.5 ? f : f + 1;
    case 'floor': return f;
    case 'ceil': return f + 1;
    case 'simple': return scale < 1 ? Math.ceil(x) : f;
  }
}

function cubicWeight(x: number, A: number): number {
  x = Math.abs(x);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

/** The tap table of one axis (the rules of runtime/ops/nn/resize.ts planAxis). */
function axisTable(at: ResizeAttrs, inSize: number, outSize: number, scale: number, rs: number, re: number): AxisTable {
  const aa = at.antialias ? Math.min(scale, 1) : 1;
  let taps = 1;
  let start = 0;
  if (at.mode === 'linear') {
    start = at.antialias ? Math.floor(-1 / aa) + 1 : 0;
    taps = 2 - 2 * start;
  } else if (at.mode === 'cubic') {
    start = at.antialias ? Math.floor(-2 / aa) + 1 : -1;
    taps = 2 - 2 * start;
  }
  const index: number[] = [];
  const weight: number[] = [];
  const clamp = (i: number) => Math.min(inSize - 1, Math.max(0, i));
  for (let o = 0; o < outSize; o++) {
    const x = sourceCoord(at, o, inSize, outSize, scale, rs, re);
    if (at.coord === 'tf_crop_and_resize' && (x < 0 || x > inSize - 1)) {
      for (let t = 0; t < taps; t++) index.push(-1), weight.push(0);
      continue;
    }
    if (at.mode === 'nearest') {
      index.push(clamp(nearestIndex(at.nearest, x, scale)));
      weight.push(1);
      continue;
    }
    const base = Math.ceil(x) - 1;
    const ratio = x - base;
    const ws: number[] = [];
    for (let t = 0; t < taps; t++) {
      const i = start + t;
      const d = (i - ratio) * aa;
      let wv = at.mode === 'linear' ? Math.max(0, 1 - Math.abs(d)) : cubicWeight(d, at.cubicA);
      if (at.excludeOutside && (base + i < 0 || base + i >= inSize)) wv = 0;
      index.push(clamp(base + i));
      ws.push(wv);
    }
    const sum = ws.reduce((a, b) => a + b, 0);
    weight.push(...((at.antialias || at.excludeOutside) && sum !== 0 ? ws.map((v) => v / sum) : ws));
  }
  return { taps, index, weight };
}

const nums = (t: Tensor | undefined): number[] | undefined => (t && t.data.length ? Array.from(toNumbers(t)) : undefined);

/** Scales per axis (full rank) and roi, from the node's constant inputs; or a reason. */
function resizeParams(args: LowerArgs<ResizeAttrs>): { scales: number[]; roi?: number[] } | string {
  const { node, attrs, inputs, constants, opset, outputs } = args;
  const x = inputs[0];
  if (!x) return 'no input';
  const r = x.dims.length;
  const outDims = outputs[0].dims;
  let scalesIn: number[] | undefined;
  let sizesIn: number[] | undefined;
  let roiIn: number[] | undefined;
  if (node.op === 'Upsample') {
    scalesIn = node.inputs.length > 1 ? nums(constants[1]) : attrs.scales ? [...attrs.scales] : undefined;
    if (!scalesIn) return 'Upsample scales are not a constant';
  } else if (opset < 11) {
    scalesIn = nums(constants[1]);
    if (!scalesIn) return 'Resize scales are not a constant';
  } else {
    if (node.inputs[2] && !constants[2]) return 'Resize scales are not a constant';
    if (node.inputs[3] && !constants[3]) return 'Resize sizes are not a constant';
    scalesIn = nums(constants[2]);
    sizesIn = nums(constants[3]);
    if (attrs.coord === 'tf_crop_and_resize') {
      roiIn = nums(constants[1]);
      if (!roiIn) return 'Resize roi is not a constant';
    }
  }
  const axes = node.op === 'Resize' && attrs.axes ? attrs.axes.map((a) => (a < 0 ? a + r : a)) : [...Array(r).keys()];
  const scales = new Array<number>(r).fill(1);
  if (scalesIn) {
    axes.forEach((ax, i) => (scales[ax] = scalesIn[i]));
  } else if (sizesIn) {
    axes.forEach((ax, i) => (scales[ax] = sizesIn[i] / x.dims[ax]));
    if (attrs.keepAspect !== 'stretch') {
      const pick = axes.map((ax) => scales[ax]);
      const s = attrs.keepAspect === 'not_larger' ? Math.min(...pick) : Math.max(...pick);
      for (const ax of axes) scales[ax] = s;
    }
  } else return 'Resize needs scales or sizes';
  let roi: number[] | undefined;
  if (roiIn) {
    roi = [...new Array<number>(r).fill(0), ...new Array<number>(r).fill(1)];
    const n = axes.length;
    axes.forEach((ax, i) => {
      (roi as number[])[ax] = roiIn[i];
      (roi as number[])[r + ax] = roiIn[n + i];
    });
  }
  if (outDims.length !== r) return 'rank mismatch';
  return { scales, roi };
}

const arrayLit = (type: 'i32' | 'f32', v: readonly number[]) =>
  `array<${type}, ${v.length}>(${v.map((e) => (type === 'i32' ? `${e}i` : f32Lit(e))).join(', ')})`;

export const resizeKernel = (workgroup = 128): KernelGenerator<ResizeAttrs> => (args) => {
  const { node, attrs, inputs, outputs } = args;
  const x = inputs[0];
  if (!x || !isF32(x)) return unsupported(`${node.op} has no GPU kernel for ${x?.dtype}`);
  if (attrs.antialias && attrs.mode === 'nearest') return unsupported('antialias with nearest');
  const act = epilogue(node, 'k_r');
  if (act === undefined) return unsupported('unknown fused activation');
  const params = resizeParams(args);
  if (typeof params === 'string') return unsupported(params);
  const outDims = outputs[0].dims;
  const r = x.dims.length;
  const total = prod(outDims);
  if (total === 0) return { kind: 'dispatch', dispatches: [] };
  if (prod(x.dims) === 0) return unsupported('cannot resize an empty input');
  const inStrides = stridesOf(x.dims);
  const outStrides = stridesOf(outDims);
  const tables: string[] = [];
  const coords: string[] = [];
  // per axis: the WGSL of its source index and weight within the tap loops
  const loops: { open: string; close: string }[] = [];
  const offsetTerms: string[] = [];
  const weightTerms: string[] = [];
  let outside = false;
  for (let a = 0; a < r; a++) {
    const c = a === 0 ? `(idx / ${outStrides[a]}u)` : `((idx / ${outStrides[a]}u) % ${outDims[a]}u)`;
    const rs = params.roi ? params.roi[a] : 0;
    const re = params.roi ? params.roi[a + r] : 1;
    const identity = outDims[a] === x.dims[a] && params.scales[a] === 1 && (attrs.coord !== 'tf_crop_and_resize' || (rs === 0 && re === 1));
    if (identity) {
      if (x.dims[a] > 1) offsetTerms.push(`${c} * ${inStrides[a]}u`);
      continue;
    }
    const t = axisTable(attrs, x.dims[a], outDims[a], params.scales[a], rs, re);
    if (t.index.length > MAX_TABLE) return unsupported(`axis ${a} needs a tap table of ${t.index.length} entries`);
    if (t.index.includes(-1)) outside = true;
    tables.push(`const k_ix${a} = ${arrayLit('i32', t.index)};`);
    coords.push(`  let k_o${a} = ${c} * ${t.taps}u;`);
    const nearest = t.taps === 1 && t.weight.every((w) => w === 1 || w === 0);
    if (!nearest) tables.push(`const k_wt${a} = ${arrayLit('f32', t.weight)};`);
    const tap = t.taps === 1 ? `k_o${a}` : `k_o${a} + k_t${a}`;
    loops.push({
      open: `${t.taps === 1 ? '' : `for (var k_t${a} = 0u; k_t${a} < ${t.taps}u; k_t${a} = k_t${a} + 1u) `}{
    let k_s${a} = k_ix${a}[${tap}];
    if (k_s${a} < 0i) { k_out = true; }`,
      close: '}',
    });
    offsetTerms.push(`u32(max(k_s${a}, 0i)) * ${inStrides[a]}u`);
    if (!nearest) weightTerms.push(`k_wt${a}[${tap}]`);
  }
  const weight = weightTerms.length ? weightTerms.join(' * ') : '';
  const load = `k_x[${offsetTerms.join(' + ') || '0u'}]`;
  const inner = `    k_acc = ${weight ? `fma(${weight}, ${load}, k_acc)` : `k_acc + ${load}`};`;
  const nest = loops.reduceRight((acc, l) => `${l.open}\n${acc}\n  ${l.close}`, inner);
  const body = `${coords.join('\n')}
  var k_acc = 0.0f;
  var k_out = false;
  ${nest}
  let k_r = ${outside ? `select(k_acc, ${f32Lit(attrs.extrapolation)}, k_out)` : 'k_acc'};
  k_y[idx] = ${act};`;
  const decls = declareBuffers([{ name: 'k_x', type: 'f32', access: 'read' }, { name: 'k_y', type: 'f32', access: 'read_write' }]);
  const main = flatMain(total, body, workgroup);
  const wgsl = `${decls}\n${tables.join('\n')}\n${helpersFor(main)}\n${main}`;
  return {
    kind: 'dispatch',
    dispatches: [{ wgsl, workgroups: grid1d(total, workgroup), label: `resize_${attrs.mode}`, bindings: [{ kind: 'input', index: 0 }, { kind: 'output', index: 0 }] }],
  };
};

export const resizeKernels: Record<string, KernelGenerator> = {
  Resize: resizeKernel() as KernelGenerator,
  Upsample: resizeKernel() as KernelGenerator,
};
