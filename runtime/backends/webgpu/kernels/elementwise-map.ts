// The one elementwise template: an n-ary broadcasting map. Input i is bound as `k_in{i}` and read
// into `k_v{i}` at its broadcast offset; the kernel stores one WGSL expression per output element.
// The element count and the broadcast strides are uniforms: one pipeline per expression, rank and
// broadcast pattern, whatever the sizes.

import type { Lowering } from '../kernel';
import type { Scalar } from '../storage';
import { broadcastOffset, declareBuffers, flatMain, grid1d, KernelDims } from '../wgsl';
import { helpersFor } from './activation-helpers';

export interface MapOperand {
  /** the WGSL element type, or a dtype name that scalarOf maps */
  readonly type: Scalar;
  readonly dims: readonly number[];
}

const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * Lowers `out[idx] = value` where `value` reads k_v0…k_v{n-1} (each input at its numpy-broadcast
 * position; an operand with `scalar` set is read at element 0, for one-element bound inputs).
 */
export function mapKernel(
  label: string,
  inputs: readonly (MapOperand & { readonly scalar?: boolean; readonly binding?: number })[],
  out: MapOperand,
  value: string,
  dims = new KernelDims(true),
): Lowering {
  const n = sizeOf(out.dims);
  const decls = declareBuffers([
    ...inputs.map((x, i) => ({ name: `k_in${i}`, type: x.type, access: 'read' as const })),
    { name: 'k_out', type: out.type, access: 'read_write' },
  ]);
  const loads = inputs.map((x, i) => (x.scalar
    ? `  let k_v${i} = k_in${i}[0];`
    : `  ${broadcastOffset(`k_i${i}`, 'idx', x.dims, out.dims, dims)}\n  let k_v${i} = k_in${i}[k_i${i}];`));
  const body = `${loads.join('\n')}\n  k_out[idx] = ${value};`;
  const main = flatMain(dims.u('n', n), body);
  const wgsl = `${decls}\n${dims.declare(inputs.length + 1)}\n${helpersFor(main)}\n${main}`;
  const bindings = [
    ...inputs.map((x, i) => ({ kind: 'input' as const, index: x.binding ?? i })),
    { kind: 'output' as const, index: 0 },
  ];
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(n), bindings, label, uniforms: dims.words() }] };
}
