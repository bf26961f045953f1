// Value-aware shape inference for ops whose output shape depends on the *values* of small constant
// inputs (Reshape's shape, Slice's starts, Resize's sizes, …), which `infer` cannot see: run the
// op's reference kernel on zero-filled stand-ins for its data inputs, whose values do not matter.

import type { Node, TensorType } from '../ir/graph';
import type { OpSpec } from '../ops/spec';
import { sizeOf, tensor, type Tensor } from '../tensor';
import { hasSubgraphs, typeOfTensor } from './graph-util';

/**
 * Ops whose output shape depends only on the shapes of these data inputs (by index) and on the
 * values of their other inputs. Anything whose shape depends on data values (NonZero, Unique,
 * NonMaxSuppression, Compress) must stay out of this table.
 */
const DATA_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [0], Expand: [0], Tile: [0], Slice: [0], Pad: [0, 2], Squeeze: [0], Unsqueeze: [0],
  Resize: [0], Upsample: [0], Split: [0], TopK: [0], OneHot: [0, 2], CenterCropPad: [0],
  ReduceSum: [0], ReduceMean: [0], ReduceMax: [0], ReduceMin: [0], ReduceProd: [0],
  ReduceL1: [0], ReduceL2: [0], ReduceLogSum: [0], ReduceLogSumExp: [0], ReduceSumSquare: [0],
};

/** Stand-ins bigger than this (elements, all data inputs together) are not worth probing. */
const MAX_PROBE_ELEMENTS = 1 << 22;

/**
 * Output types found by running the kernel on stand-ins, or undefined when the op is not probeable
 * here (not in the table, a needed input not constant, a data input's shape unknown, or the kernel
 * refused the stand-ins).
 */
export function probeShapes(
  node: Node, spec: OpSpec, attrs: unknown, opset: number,
  inputTypes: readonly (TensorType | null)[], constant: (name: string) => Tensor | undefined,
): (TensorType | null)[] | undefined {
  const data = node.domain === '' ? DATA_INPUTS[node.op] : undefined;
  if (!data || !spec.run || hasSubgraphs(node)) return undefined;
  let elements = 0;
  const ins: (Tensor | undefined)[] = [];
  for (let i = 0; i < node.inputs.length; i++) {
    const name = node.inputs[i];
    if (name === '') { ins.push(undefined); continue; }
    const c = constant(name);
    if (c) { ins.push(c); continue; }
    const t = inputTypes[i];
    if (!data.includes(i) || !t?.shape || !t.shape.every((d): d is number => typeof d === 'number')) return undefined;
    elements += sizeOf(t.shape);
    if (elements > MAX_PROBE_ELEMENTS) return undefined;
    ins.push(tensor(t.dtype, t.shape));
  }
  try {
    const outs = spec.run(ins, attrs, { opset, numOutputs: node.outputs.length, runGraph: noSubgraphs });
    return node.outputs.map((_, i) => (outs[i] ? typeOfTensor(outs[i]) : null));
  } catch {
    return undefined;
  }
}

export function noSubgraphs(): never {
  throw new Error('graph passes do not evaluate subgraphs');
}
