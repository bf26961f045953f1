// Windowing kernels over the index-map template: Slice (negative steps included), Pad (constant,
// reflect, edge, wrap; negative pads crop) and CenterCropPad. Starts, ends, pads and shapes come
// from attributes or constant inputs and are baked in; Pad's fill value may be fed at run time.

import { toNumbers } from '../../../tensor';
import type { KernelGenerator } from '../kernel';
import { unsupported } from '../kernel';
import { constInts, flatIndex, indexMap, input, literal, refuseFusion, scalarFor, type BoundBuffer } from './movement-index';

const c = (a: number): string => `k_c${a}`;
const normAxis = (a: number, rank: number): number => (a < 0 ? a + rank : a);

/** Clamped start of one sliced axis, as ONNX specifies (the length comes from the output shape). */
function sliceStart(dim: number, start: number, step: number): number {
  const s = start < 0 ? start + dim : start;
  return step > 0 ? Math.min(Math.max(s, 0), dim) : Math.min(Math.max(s, 0), dim - 1);
}

interface SliceAttrs {
  readonly starts?: readonly number[];
  readonly axes?: readonly number[];
}

const slice: KernelGenerator<SliceAttrs> = (args) => {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const x = args.inputs[0];
  const s = scalarFor(x);
  if (!x || !s) return unsupported(`Slice has no GPU kernel for ${x?.dtype ?? 'a missing input'}`);
  const rank = x.dims.length;
  const starts = args.attrs.starts ?? constInts(args.constants[1]);
  if (!starts) return unsupported('starts fed at run time');
  const axes = args.attrs.starts ? args.attrs.axes : args.inputs[3] ? constInts(args.constants[3]) : undefined;
  if (!args.attrs.starts && args.inputs[3] && !axes) return unsupported('axes fed at run time');
  const steps = args.attrs.starts || !args.inputs[4] ? undefined : constInts(args.constants[4]);
  if (!args.attrs.starts && args.inputs[4] && !steps) return unsupported('steps fed at run time');
  const coords = x.dims.map((_, a) => c(a));
  (axes ?? starts.map((_, i) => i)).forEach((ax, i) => {
    const a = normAxis(ax, rank);
    const step = steps?.[i] ?? 1;
    if (args.outputs[0].dims[a] === 0) return;
    const start = sliceStart(x.dims[a], starts[i], step);
    coords[a] = `${start}i + ${c(a)} * ${step}i`;
  });
  return indexMap({ label: 'slice', out: { scalar: s, dims: args.outputs[0].dims }, reads: [input('k_x', s, 0)], from: 'k_x', source: flatIndex(coords, x.dims) });
};

type Mode = 'constant' | 'reflect' | 'edge' | 'wrap';

/** The input coordinate an output position maps to under each mode (x may fall outside [0, d)). */
function padCoord(mode: Mode, x: string, d: number): string {
  switch (mode) {
    case 'constant': return x;
    case 'edge': return `clamp(${x}, 0i, ${d - 1}i)`;
    case 'wrap': return `(((${x}) % ${d}i) + ${d}i) % ${d}i`;
    case 'reflect': {
      if (d === 1) return '0i';
      const p = 2 * (d - 1);
      const m = `(((${x}) % ${p}i) + ${p}i) % ${p}i`;
      return `select(${p}i - ${m}, ${m}, ${m} < ${d}i)`;
    }
  }
}

interface PadAttrs {
  readonly mode: Mode;
  readonly pads?: readonly number[];
  readonly value: number;
}

const pad: KernelGenerator<PadAttrs> = (args) => {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const x = args.inputs[0];
  const s = scalarFor(x);
  if (!x || !s) return unsupported(`Pad has no GPU kernel for ${x?.dtype ?? 'a missing input'}`);
  const rank = x.dims.length;
  let pads = args.attrs.pads ?? constInts(args.constants[1]);
  if (!pads) return unsupported('pads fed at run time');
  if (args.inputs[3]) {
    const axes = constInts(args.constants[3]);
    if (!axes) return unsupported('axes fed at run time');
    const full = new Array<number>(2 * rank).fill(0);
    axes.forEach((ax, i) => {
      const a = normAxis(ax, rank);
      full[a] = pads![i];
      full[a + rank] = pads![i + axes.length];
    });
    pads = full;
  }
  const { mode } = args.attrs;
  const reads: BoundBuffer[] = [input('k_x', s, 0)];
  let fill = literal(s, args.attrs.value);
  const cv = args.constants[2];
  if (cv && cv.dims.reduce((a, b) => a * b, 1) > 0) fill = literal(s, toNumbers(cv)[0]);
  else if (!cv && args.inputs[2] && sizeOfDims(args.inputs[2].dims) > 0) {
    reads.push(input('k_cv', s, 2));
    fill = 'k_cv[0]';
  }
  if (mode !== 'constant' && x.dims.some((d, a) => d === 0 && args.outputs[0].dims[a] > 0)) return unsupported(`${mode}-padding an empty axis`);
  const coords: string[] = [];
  const inside: string[] = [];
  x.dims.forEach((d, a) => {
    const begin = pads![a];
    const pos = begin === 0 ? c(a) : `(${c(a)} - ${begin}i)`;
    const outside = begin > 0 || pads![a + rank] > 0;
    coords.push(outside ? padCoord(mode, pos, d) : pos);
    if (mode === 'constant' && outside) inside.push(`${pos} >= 0i && ${pos} < ${d}i`);
  });
  return indexMap({
    label: `pad_${mode}`, out: { scalar: s, dims: args.outputs[0].dims }, reads,
    from: 'k_x', source: flatIndex(coords, x.dims), valid: inside.length ? inside.join(' && ') : undefined, fill,
  });
};

const sizeOfDims = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** CenterCropPad: each axis keeps its centre (crop) or is centred in zeros (pad). */
const centerCropPad: KernelGenerator = (args) => {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const x = args.inputs[0];
  const s = scalarFor(x);
  if (!x || !s) return unsupported(`CenterCropPad has no GPU kernel for ${x?.dtype ?? 'a missing input'}`);
  const target = args.outputs[0].dims;
  const coords: string[] = [];
  const inside: string[] = [];
  x.dims.forEach((dim, a) => {
    const len = target[a];
    const shift = len < dim ? Math.floor((dim - len) / 2) : -Math.floor((len - dim) / 2);
    const pos = shift === 0 ? c(a) : `(${c(a)} + ${shift}i)`;
    coords.push(pos);
    if (len > dim) inside.push(`${pos} >= 0i && ${pos} < ${dim}i`);
  });
  return indexMap({
    label: 'centercroppad', out: { scalar: s, dims: target }, reads: [input('k_x', s, 0)],
    from: 'k_x', source: flatIndex(coords, x.dims), valid: inside.length ? inside.join(' && ') : undefined,
  });
};

export const windowKernels: Record<string, KernelGenerator> = {
  Slice: slice as KernelGenerator,
  Pad: pad as KernelGenerator,
  CenterCropPad: centerCropPad,
};
