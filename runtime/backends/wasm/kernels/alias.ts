// Ops that only reinterpret their input's bytes: no kernel, the output shares the input's memory.
// Shape-changing ones need the plain layout; Identity, inference-time Dropout (a copy when its
// mask is asked for) and BitCast between types of one size keep any layout.

import { allocData, byteSize, fromNumbers, stridesOf, type TypedArray } from '../../../tensor';
import { Calls, followsFirst, input, output, unsupported, type WasmKernel } from '../kernel';
import { memoryDims } from '../layout';
import { copyStrided } from './copy';

const reshape: WasmKernel = { lower: ({ inputs }) => (inputs[0] ? { kind: 'alias', input: 0 } : unsupported('needs an input')) };

const passThrough: WasmKernel = {
  layouts: followsFirst,
  lower: ({ node, inputs, constants, outputs }) => {
    const x = inputs[0];
    if (!x) return unsupported('needs an input');
    // Dropout's training_mode (opset 12+): the identity only when it is known to be off
    if (node.op === 'Dropout' && inputs[2] && (!constants[2] || Number(constants[2].data[0]) !== 0)) return unsupported('training mode has no kernel');
    if (node.outputs.length < 2 || !node.outputs[1]) return { kind: 'alias', input: 0 };
    // with the mask asked for: a copy, and a mask of all true (a bool, or before opset 10 the input's type)
    const c = new Calls();
    const dims = memoryDims(x);
    copyStrided(c, x.dtype, input(0), output(0), dims, stridesOf(dims));
    const mask = outputs[1];
    const n = mask.dims.reduce((a, b) => a * b, 1);
    const one = allocData(mask.dtype, 1) as TypedArray;
    one.set(fromNumbers(mask.dtype, [1], [1]).data as never);
    if (n > 0) c.call('fill', byteSize(mask.dtype), output(1), n, c.const(one));
    return c.done([x.layout, x.layout]);
  },
};

/** BitCast between types of one size: the same bytes. */
const bitCast: WasmKernel = {
  layouts: followsFirst,
  lower: ({ inputs, outputs }) => {
    const x = inputs[0];
    if (!x || byteSize(x.dtype) !== byteSize(outputs[0].dtype)) return unsupported('only between types of one size');
    return { kind: 'alias', input: 0 };
  },
};

export const aliasKernels: Record<string, WasmKernel> = {
  Reshape: reshape, Flatten: reshape, Squeeze: reshape, Unsqueeze: reshape,
  Identity: passThrough, Dropout: passThrough, BitCast: bitCast,
};
