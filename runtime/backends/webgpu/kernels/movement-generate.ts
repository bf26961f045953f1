// Kernels that make tensors from a few numbers, for when folding left them in the graph:
// EyeLike, OneHot, Range, ConstantOfShape, Shape and Size (their values baked in where known at
// compile time, read from their one-element inputs otherwise).

import { toNumbers, type Tensor } from '../../../tensor';
import type { KernelGenerator, Lowering } from '../kernel';
import { unsupported } from '../kernel';
import type { Scalar } from '../storage';
import { flatIndex, indexMap, input, literal, refuseFusion, scalarFor, sizeOf, wrapIndex, type BoundBuffer } from './movement-index';

const noKernel = (op: string, why: string): Lowering => unsupported(`${op} has no GPU kernel for ${why}`);

/** Converts a value read as `from` to `to` (WGSL conversions truncate floats toward zero). */
const convert = (e: string, from: Scalar, to: Scalar): string => (from === to ? e : `${to}(${e})`);

const eyeLike: KernelGenerator<{ k: number }> = (args) => {
  const out = args.outputs[0];
  const s = scalarFor(out);
  if (!s || out.dims.length !== 2) return noKernel('EyeLike', out.dtype);
  const k = Math.min(Math.max(args.attrs.k, -2147483647), 2147483647);
  return indexMap({ label: 'eyelike', out: { scalar: s, dims: out.dims }, reads: [], value: `select(${literal(s, 0)}, ${literal(s, 1)}, k_c1 - k_c0 == ${k}i)` });
};

/** OneHot: depth must be known (it is the output's shape); indices and values may be fed at run time. */
const oneHot: KernelGenerator<{ axis: number }> = (args) => {
  const [ind, , vals] = args.inputs;
  const out = args.outputs[0];
  const s = scalarFor(out);
  const si = scalarFor(ind);
  if (!ind || !si || !s || !vals || scalarFor(vals) !== s) return noKernel('OneHot', `${ind?.dtype} indices and ${vals?.dtype} values`);
  const rank = out.dims.length;
  const a = args.attrs.axis < 0 ? args.attrs.axis + rank : args.attrs.axis;
  const depth = out.dims[a];
  const reads: BoundBuffer[] = [input('k_ind', si, 0)];
  const known = args.constants[2];
  let off: string, on: string;
  if (known) [off, on] = Array.from(toNumbers(known), (v) => literal(s, v));
  else {
    reads.push(input('k_vals', s, 2));
    [off, on] = ['k_vals[0]', 'k_vals[1]'];
  }
  const indCoords = out.dims.flatMap((_, i) => (i === a ? [] : [`k_c${i}`]));
  const j = si === 'f32' ? `i32(trunc(k_ind[u32(${flatIndex(indCoords, ind.dims)})]))` : `i32(k_ind[u32(${flatIndex(indCoords, ind.dims)})])`;
  return indexMap({
    label: 'onehot', out: { scalar: s, dims: out.dims }, reads,
    setup: [`  let k_j = ${wrapIndex(j, depth)};`],
    value: `select(${off}, ${on}, k_j == k_c${a})`,
  });
};

/** Range whose start and delta were not folded: out[i] = start + i * delta. */
const range: KernelGenerator = (args) => {
  const out = args.outputs[0];
  const s = scalarFor(out);
  if (!s || args.inputs.some((t) => scalarFor(t) !== s)) return noKernel('Range', out.dtype);
  const scalarIn = (i: number, name: string): [string, BoundBuffer[]] => {
    const c = args.constants[i];
    return c ? [literal(s, toNumbers(c)[0]), []] : [`${name}[0]`, [input(name, s, i)]];
  };
  const [start, r0] = scalarIn(0, 'k_start');
  const [delta, r2] = scalarIn(2, 'k_delta');
  return indexMap({ label: 'range', out: { scalar: s, dims: out.dims }, reads: [...r0, ...r2], value: `${start} + ${convert('idx', 'u32', s)} * ${delta}` });
};

const fillKernel = (label: string, s: Scalar, dims: readonly number[], v: number): Lowering =>
  indexMap({ label, out: { scalar: s, dims }, reads: [], value: literal(s, v) });

const constantOfShape: KernelGenerator<{ value: Tensor }> = (args) => {
  const out = args.outputs[0];
  const s = scalarFor(out);
  if (!s) return noKernel('ConstantOfShape', out.dtype);
  return fillKernel('constantofshape', s, out.dims, toNumbers(args.attrs.value)[0] ?? 0);
};

/** Writes known int64 values (as i32) element by element. */
function knownInts(label: string, dims: readonly number[], values: readonly number[]): Lowering {
  if (values.length === 0) return { kind: 'dispatch', dispatches: [] };
  const lits = values.map((v) => literal('i32', v));
  return indexMap({
    label, out: { scalar: 'i32', dims }, reads: [],
    setup: [`  var k_vals = array<i32, ${lits.length}>(${lits.join(', ')});`],
    value: 'k_vals[idx]',
  });
}

const shape: KernelGenerator<{ start: number; end?: number }> = (args) => {
  const x = args.inputs[0];
  if (!x) return noKernel('Shape', 'a missing input');
  const rank = x.dims.length;
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const [s, e] = [clamp(args.attrs.start), clamp(args.attrs.end ?? rank)];
  return knownInts('shape', args.outputs[0].dims, x.dims.slice(s, Math.max(s, e)));
};

const size: KernelGenerator = (args) => {
  const x = args.inputs[0];
  if (!x) return noKernel('Size', 'a missing input');
  return knownInts('size', args.outputs[0].dims, [sizeOf(x.dims)]);
};

const guarded = (gen: KernelGenerator): KernelGenerator => (args) => refuseFusion(args) ?? gen(args);

export const generateKernels: Record<string, KernelGenerator> = {
  EyeLike: guarded(eyeLike as KernelGenerator),
  OneHot: guarded(oneHot as KernelGenerator),
  Range: guarded(range),
  ConstantOfShape: guarded(constantOfShape as KernelGenerator),
  Shape: guarded(shape as KernelGenerator),
  Size: guarded(size),
};
