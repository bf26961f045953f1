// Which graph inputs a compiler must know the *value* of to fix shapes: inputs that reach an
// operand such as Reshape's shape, Slice's starts, Resize's scales or Reduce*'s axes, directly or
// through shape arithmetic (Cast, Sub, Concat, …). A backend specialises its plan on their values.

import type { Model } from '../ir/graph';

/**
 * Operand positions whose value decides the output's shape (or that a kernel must know at compile
 * time: Resize's roi, Dropout's ratio and training_mode), by op type in the default domain. Data
 * operands stay out.
 */
export const VALUE_OPERANDS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1], Expand: [1], Tile: [1], Slice: [1, 2, 3, 4], Pad: [1, 3], Squeeze: [1], Unsqueeze: [1],
  Resize: [1, 2, 3], Upsample: [1], Split: [1], TopK: [1], OneHot: [1], CenterCropPad: [1],
  ReduceSum: [1], ReduceMean: [1], ReduceMax: [1], ReduceMin: [1], ReduceProd: [1],
  ReduceL1: [1], ReduceL2: [1], ReduceLogSum: [1], ReduceLogSumExp: [1], ReduceSumSquare: [1],
  Dropout: [1, 2],
  // whole-value generators: known inputs fold them to constants
  Range: [0, 1, 2], ConstantOfShape: [0],
  HannWindow: [0], HammingWindow: [0], BlackmanWindow: [0], MelWeightMatrix: [0, 1, 2, 3, 4],
};

/**
 * Cheap ops that compute small values from small values (shape arithmetic): a value one of them
 * makes for a shape operand needs every one of its inputs' values too. Shape and Size are not
 * here: they read only their input's shape, which the compiler already knows.
 */
const SHAPE_ARITHMETIC = new Set([
  'Cast', 'CastLike', 'Identity', 'Add', 'Sub', 'Mul', 'Div', 'Mod', 'Neg', 'Abs', 'Sign',
  'Max', 'Min', 'Clip', 'Ceil', 'Floor', 'Round', 'Sqrt', 'Reciprocal',
  'Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'Not', 'And', 'Or', 'Where',
  'Concat', 'Gather', 'GatherElements', 'Unsqueeze', 'Squeeze', 'Reshape', 'Flatten', 'Slice',
  'Expand', 'Tile', 'ReduceSum', 'ReduceProd', 'ReduceMax', 'ReduceMin', 'Range',
]);

/**
 * The names of the main graph's inputs whose values decide shapes, in graph-input order: walks
 * the nodes backwards from the value operands through SHAPE_ARITHMETIC producers. Whether a found
 * input is small enough to specialise on is the caller's call, at run time.
 */
export function valueOperandInputs(model: Model): string[] {
  const g = model.graph;
  const needed = new Set<string>();
  // Reverse topological order: a node's readers are visited before it.
  for (let k = g.nodes.length - 1; k >= 0; k--) {
    const node = g.nodes[k];
    if (node.domain !== '') continue;
    const all = SHAPE_ARITHMETIC.has(node.op) && node.outputs.some((o) => needed.has(o));
    const positions = VALUE_OPERANDS[node.op] ?? [];
    node.inputs.forEach((name, i) => {
      if (name !== '' && (all || positions.includes(i))) needed.add(name);
    });
  }
  // An input with a default initializer counts too: a feed overrides the default.
  return g.inputs.map((i) => i.name).filter((name) => needed.has(name));
}
