// The index-map template behind the data-movement kernels: one invocation per output element
// turns its flat index into coordinates, computes where its value comes from (shapes and strides
// baked in), and copies that 32-bit word, or stores a fill value where the map says "outside".
// Copying words serves every dtype, since every tensor lives on the GPU as 32-bit elements.

import { toNumbers, type DType, type Tensor } from '../../../tensor';
import type { Binding, Dispatch, LowerArgs, Lowering } from '../kernel';
import { scalarOf, type Scalar } from '../storage';
import { declareBuffers, f32Lit, flatMain, grid1d, i32Lit, stridesOf, u32Lit, withPrelude } from '../wgsl';
import { fusedActivation } from './activation';

/** WebGPU's guaranteed maxStorageBuffersPerShaderStage: kernels that bind many inputs stay under it. */
export const MAX_BINDINGS = 8;

export const sizeOf = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** A literal of `scalar` type for a JS number (ints truncate; u32 clamps at zero). */
export function literal(scalar: Scalar, v: number): string {
  if (scalar === 'f32') return f32Lit(v);
  if (scalar === 'i32') return i32Lit(Math.min(Math.max(v, -2147483648), 2147483647));
  return u32Lit(Math.min(v, 4294967295));
}

/** The GPU element type of a value, when the GPU can hold it. */
export const scalarFor = (t: { readonly dtype: DType } | undefined): Scalar | undefined => (t ? scalarOf(t.dtype) : undefined);

/** The integer values of a constant input, or undefined when it is not constant. */
export function constInts(t: Tensor | undefined): number[] | undefined {
  return t ? Array.from(toNumbers(t), (v) => Math.trunc(v)) : undefined;
}

/** A movement kernel copies words: a fused activation (never fused onto these ops) cannot apply. */
export function refuseFusion(args: LowerArgs): Lowering | undefined {
  return fusedActivation(args.node) ? { kind: 'unsupported', reason: 'a fused activation on a data-movement op' } : undefined;
}

/** `let k_c{a}: i32 = …;` for each axis of `dims`: the coordinates of flat index `flat`. */
export function coordLets(flat: string, dims: readonly number[], prefix = 'k_c'): string[] {
  const strides = stridesOf(dims);
  return dims.map((d, a) => {
    const q = strides[a] === 1 ? flat : `(${flat} / ${Math.max(strides[a], 1)}u)`;
    return `  let ${prefix}${a} = i32(${a === 0 ? q : `${q} % ${Math.max(d, 1)}u`});`;
  });
}

/** An i32 expression: the flat index of coordinates `coords` (i32 expressions) in `dims`. */
export function flatIndex(coords: readonly string[], dims: readonly number[]): string {
  const strides = stridesOf(dims);
  const terms = coords.flatMap((c, a) => (dims[a] === 1 ? [] : [strides[a] === 1 ? `(${c})` : `(${c}) * ${strides[a]}i`]));
  return terms.join(' + ') || '0i';
}

/** `j` counted from the end of an axis of size `dim` when negative, as ONNX indices are. */
export const wrapIndex = (j: string, dim: number): string => `select(${j}, ${j} + ${dim}i, ${j} < 0i)`;

export interface BoundBuffer {
  /** the WGSL name, `k_…` */
  readonly name: string;
  readonly scalar: Scalar;
  readonly binding: Binding;
}

export interface IndexMap {
  readonly label: string;
  readonly out: { readonly scalar: Scalar; readonly dims: readonly number[] };
  /** the buffers read, in binding order after… nothing: these come first, the output last */
  readonly reads: readonly BoundBuffer[];
  /** statements after the output coordinates k_c0… are declared */
  readonly setup?: readonly string[];
  /** the stored value as one expression (for kernels that compute rather than copy) */
  readonly value?: string;
  /** or: copy `from[source]`, `source` an i32 expression */
  readonly from?: string;
  readonly source?: string;
  /** where false, store `fill` instead of copying */
  readonly valid?: string;
  readonly fill?: string;
}

/** One dispatch of the index-map template. */
export function indexMapDispatch(m: IndexMap): Dispatch {
  const n = sizeOf(m.out.dims);
  const lines = [...coordLets('idx', m.out.dims), ...(m.setup ?? [])];
  if (m.value !== undefined) lines.push(`  k_out[idx] = ${m.value};`);
  else {
    const read = `${m.from}[u32(${m.source ?? '0i'})]`;
    if (m.valid === undefined) lines.push(`  k_out[idx] = ${read};`);
    else lines.push(`  if (${m.valid}) { k_out[idx] = ${read}; } else { k_out[idx] = ${m.fill ?? literal(m.out.scalar, 0)}; }`);
  }
  const body = lines.join('\n');
  // A binding the code never reads drops out of the 'auto' pipeline layout, and binding it then
  // fails validation: bind only what the body uses.
  const reads = m.reads.filter((r) => new RegExp(`\\b${r.name}\\b`).test(body));
  const decls = declareBuffers([
    ...reads.map((r) => ({ name: r.name, type: r.scalar, access: 'read' as const })),
    { name: 'k_out', type: m.out.scalar, access: 'read_write' },
  ]);
  const wgsl = withPrelude(`${decls}\n${flatMain(n, body)}`);
  const bindings: Binding[] = [...reads.map((r) => r.binding), { kind: 'output', index: 0 }];
  return { wgsl, workgroups: grid1d(n), bindings, label: m.label };
}

export const indexMap = (m: IndexMap): Lowering => ({ kind: 'dispatch', dispatches: [indexMapDispatch(m)] });

export const input = (name: string, scalar: Scalar, index: number): BoundBuffer => ({ name, scalar, binding: { kind: 'input', index } });
