// The key a compiled plan is cached under: the input shapes, plus the values of the small shape
// operands the plan was specialised on (a Reshape's shape, a Resize's scales… fed at run time).

import type { Model, TensorType } from '../ir/graph';
import type { Tensor, Value } from '../tensor';
import { isTensor } from '../tensor';

/** Shape operands with more elements than this are not value-specialised (they stay run-time values). */
export const MAX_VALUE_ELEMENTS = 64;

/**
 * The feeds of `names` worth specialising on: tensors of at most MAX_VALUE_ELEMENTS elements
 * (copied, so a caller reusing its arrays cannot change a compiled plan's constants).
 */
export function valueFeeds(feeds: ReadonlyMap<string, Value>, names: readonly string[]): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  for (const name of names) {
    const v = feeds.get(name);
    if (!isTensor(v) || v.type === 'string' || v.data.length > MAX_VALUE_ELEMENTS) continue;
    out.set(name, { type: v.type, dims: [...v.dims], data: v.data.slice() as Tensor['data'] });
  }
  return out;
}

export function planKey(shapes: ReadonlyMap<string, readonly number[]>, values: ReadonlyMap<string, Tensor>): string {
  const key = [...shapes].map(([n, d]) => `${n}:${d.join('x')}`).join(';');
  if (values.size === 0) return key;
  // The raw bytes: exact for every dtype (-0 and NaN payloads included), unlike printed numbers.
  return `${key}|${[...values].map(([n, t]) => `${n}=${t.type}:${hex(t)}`).join(';')}`;
}

function hex(t: Tensor): string {
  const d = t.data as Exclude<Tensor['data'], string[]>;
  return Array.from(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** The model's input shapes when every input declares a static one (the plan to compile up front). */
export function staticInputShapes(model: Model): Map<string, number[]> | undefined {
  const shapes = new Map<string, number[]>();
  for (const i of model.graph.inputs) {
    const t = i.type as TensorType | null;
    if (t?.kind !== 'tensor' || !t.shape?.every((d): d is number => typeof d === 'number')) return undefined;
    shapes.set(i.name, t.shape as number[]);
  }
  return shapes;
}
