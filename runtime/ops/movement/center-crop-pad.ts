// CenterCropPad (opset 18): crops or zero-pads each chosen axis to the requested size, keeping
// the content centred (an odd difference puts the extra element at the end).

import { allocData } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { ints, mappedIndex, need, normAxes, takeOr } from './util';

const OP = 'CenterCropPad';

export const centerCropPad = defineOp<{ axes: readonly number[] | undefined }>({
  op: OP,
  attrs: (a) => ({ axes: a.ints('axes') }),
  infer: (inputs) => [inputs[0] ? { kind: 'tensor', dtype: inputs[0].dtype, shape: inputs[0].shape?.map(() => null) ?? null } : null],
  run: (inputs, at) => {
    const x = need(OP, inputs[0], 'input_data');
    const shape = ints(need(OP, inputs[1], 'shape'));
    const rank = x.dims.length;
    const axes = normAxes(OP, at.axes ?? x.dims.map((_, i) => i), rank);
    if (axes.length !== shape.length) throw new OpError(OP, `shape has ${shape.length} values for ${axes.length} axes`);
    const target = [...x.dims];
    axes.forEach((a, i) => (target[a] = shape[i]));
    const maps = x.dims.map((dim, a) => {
      const len = target[a];
      // crop: output c reads c + start; pad: output c reads c - start
      const shift = len < dim ? Math.floor((dim - len) / 2) : -Math.floor((len - dim) / 2);
      const m = new Int32Array(len);
      for (let c = 0; c < len; c++) {
        const src = c + shift;
        m[c] = src >= 0 && src < dim ? src : -1;
      }
      return m;
    });
    return [takeOr(x, target, mappedIndex(x.dims, maps), allocData(x.type, 1)[0])];
  },
});
