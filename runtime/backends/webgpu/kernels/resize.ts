// Resize (opset 10 and 11+) and Upsample with scales/sizes (and roi) known at compile time.
// Every resized axis gets a tap table (source index, weight per output coordinate) worked out
// here in float64 by the ONNX rules — every nearest mode, linear and cubic, all
// coordinate_transformation_modes, exclude_outside, antialias, tf_crop_and_resize's extrapolation —
// and baked into the shader as constant arrays; one invocation per output element sums the taps.
// Knob: `workgroup` (invocations per workgroup).

import { planAxis, type ResizeAttrs } from '../../../ops/nn/resize';
import { toNumbers, type Tensor } from '../../../tensor';
import type { KernelGenerator, LowerArgs } from '../kernel';
import { unsupported } from '../kernel';
import { declareBuffers, f32Lit, flatMain, grid1d, stridesOf } from '../wgsl';
import { helpersFor } from './activation-helpers';
import { epilogue, isF32, prod } from './conv-common';

/** Largest tap table per axis baked into a shader. */
const MAX_TABLE = 16384;

interface AxisTable {
  readonly taps: number;
  /** source index per (output coordinate, tap); -1 where the output takes the extrapolation value */
  readonly index: number[];
  readonly weight: number[];
}

/**
 * The tap table of one axis as the shader wants it: the reference's plan (runtime/ops/nn/resize.ts
 * planAxis), with index -1 on every tap of a coordinate that takes the extrapolation value.
 */
function axisTable(at: ResizeAttrs, inSize: number, outSize: number, scale: number, rs: number, re: number): AxisTable {
  const { taps, index, weight, outside } = planAxis(at, inSize, outSize, scale, rs, re);
  const table = { taps, index: Array.from(index), weight: Array.from(weight) };
  if (outside) {
    for (let o = 0; o < outSize; o++) {
      if (!outside[o]) continue;
      table.index.fill(-1, o * taps, (o + 1) * taps);
      table.weight.fill(0, o * taps, (o + 1) * taps);
    }
  }
  return table;
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
