// Concats written in place: when each input of a Concat is a contiguous slab of its output (every
// axis before the concat axis has size 1: batch 1, channels) and a GPU kernel of the plan makes
// it for the Concat alone, that kernel can write straight into the output's buffer at the slab's
// offset, and the Concat dispatch (a copy of every element) goes. SqueezeNet's fire modules,
// Inception blocks and U-Net skips are such Concats. Offsets must meet the storage-binding
// alignment every WebGPU device accepts (256 bytes); a Concat where one does not stays a copy.

import type { Graph, TensorType } from '../../ir/graph';
import { usedNames } from '../../ir/uses';
import { normAxis } from '../../ops/broadcast';
import type { Step } from './lower';
import { concrete } from './storage';

/** minStorageBufferOffsetAlignment's default, which no device may exceed. */
export const SLAB_ALIGNMENT = 256;

/** The Concat steps whose inputs their producers can write in place, as 'slabs' steps. */
export function concatsInPlace(steps: readonly Step[], graph: Graph, types: ReadonlyMap<string, TensorType | null>): Step[] {
  const producer = new Map<string, Step>();
  const uses = new Map<string, number>();
  for (const s of steps) {
    for (const o of s.node.outputs) if (o) producer.set(o, s);
    for (const n of usedNames(s.node)) uses.set(n, (uses.get(n) ?? 0) + 1);
  }
  for (const o of graph.outputs) uses.set(o.name, (uses.get(o.name) ?? 0) + 1);
  return steps.map((s) => {
    const offsets = s.kind === 'gpu' ? slabOffsets(s, producer, uses, types) : undefined;
    return offsets ? { kind: 'slabs', node: s.node, offsets } : s;
  });
}

/** Each input's byte offset in the Concat's output, or undefined when it cannot run in place. */
function slabOffsets(
  s: Extract<Step, { kind: 'gpu' }>, producer: ReadonlyMap<string, Step>, uses: ReadonlyMap<string, number>,
  types: ReadonlyMap<string, TensorType | null>,
): number[] | undefined {
  const { node } = s;
  if (node.op !== 'Concat' || node.domain !== '' || node.inputs.length < 2) return undefined;
  const out = concrete(types.get(node.outputs[0]));
  const axisAttr = node.attrs.get('axis');
  // four-byte elements only: their offsets are the words the kernels index
  if (!out || (out.dtype !== 'float32' && out.dtype !== 'int32') || axisAttr?.kind !== 'int') return undefined;
  const axis = normAxis('Concat', axisAttr.value, out.dims.length);
  if (out.dims.slice(0, axis).some((d) => d !== 1)) return undefined;
  const offsets: number[] = [];
  let at = 0;
  for (const [k, name] of node.inputs.entries()) {
    if (node.inputs.indexOf(name) !== k) return undefined;
    const t = name ? concrete(types.get(name)) : undefined;
    const made = name ? producer.get(name) : undefined;
    if (!t || made?.kind !== 'gpu' || uses.get(name) !== 1 || at % SLAB_ALIGNMENT) return undefined;
    offsets.push(at);
    at += 4 * t.dims.reduce((a, b) => a * b, 1);
  }
  return offsets;
}
