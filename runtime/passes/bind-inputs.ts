// Binds graph inputs to known values: the model with those inputs turned into initializers, so
// that shape specialisation and constant folding treat them as constants. A backend does this to
// specialise a plan on the values of small shape operands fed at run time (see ./value-operands).

import type { Model } from '../ir/graph';
import type { Tensor } from '../tensor';
import { withGraph } from './graph-util';

export function bindInputs(model: Model, values: ReadonlyMap<string, Tensor>): Model {
  if (values.size === 0) return model;
  const g = model.graph;
  const initializers = new Map(g.initializers);
  for (const [name, t] of values) {
    const info = g.inputs.find((i) => i.name === name);
    if (!info) throw new Error(`bindInputs: the model has no input named '${name}'`);
    const declared = info.type;
    if (declared && declared.kind !== 'tensor') throw new Error(`bindInputs: input '${name}' is not a tensor`);
    if (declared && declared.dtype !== t.type) throw new Error(`bindInputs: input '${name}' is declared ${declared.dtype}, got ${t.type}`);
    const shape = declared?.shape;
    if (shape && (shape.length !== t.dims.length || shape.some((d, i) => typeof d === 'number' && d !== t.dims[i]))) {
      throw new Error(`bindInputs: input '${name}' is declared [${shape.join(',')}], got [${t.dims.join(',')}]`);
    }
    initializers.set(name, t);
  }
  return withGraph(model, { inputs: g.inputs.filter((i) => !values.has(i.name)), initializers });
}
