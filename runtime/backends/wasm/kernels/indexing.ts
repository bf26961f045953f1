// Index-driven kernels (assembly/indexing.ts, scan.ts): GatherElements, ScatterElements/Scatter,
// ScatterND, OneHot, Trilu, CumSum/CumProd, TopK, Hardmax and LpNormalization, on plain layouts.

import { normAxis } from '../../../ops/broadcast';
import { byteSize, stridesOf, toInts } from '../../../tensor';
import { TYPE } from '../codes';
import { Calls, input, output, unsupported, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import type { ValueDesc } from '../layout';
import { copyStrided } from './copy';

const prod = (a: readonly number[]) => a.reduce((p, d) => p * d, 1);
const REDUCTION: Record<string, number> = { none: 0, add: 1, mul: 2, max: 3, min: 4 };
const isIndex = (d: ValueDesc | undefined): d is ValueDesc => !!d && (d.dtype === 'int64' || d.dtype === 'int32');

const gatherElements: WasmKernel = {
  lower: ({ attrs, inputs }: LowerArgs): Lowering => {
    const [x, idx] = inputs;
    if (!x || !isIndex(idx) || x.dtype === 'string' || idx.dims.length === 0) return unsupported('no kernel for these inputs');
    const axis = normAxis('GatherElements', (attrs as { axis: number }).axis, x.dims.length);
    const c = new Calls();
    if (prod(idx.dims) > 0) {
      c.call('gather_elements', byteSize(x.dtype), input(0), input(1), idx.dtype === 'int64' ? 1 : 0, output(0),
        idx.dims.length, c.ints(idx.dims), c.ints(stridesOf(x.dims)), axis, x.dims[axis]);
    }
    return c.done();
  },
};

/** A copy of data, then the updates scattered into it (combined by the reduction). */
const scatterElements: WasmKernel = {
  lower: ({ node, attrs, inputs }: LowerArgs): Lowering => {
    const [x, idx, upd] = inputs;
    const at = attrs as { axis: number; reduction?: string };
    const reduction = REDUCTION[at.reduction ?? 'none'];
    if (!x || !isIndex(idx) || !upd || TYPE[x.dtype] === undefined) return unsupported('no kernel for these inputs');
    if (reduction !== 0 && (x.dtype === 'float16' || x.dtype === 'bfloat16' || x.dtype === 'bool')) return unsupported(`a reduction over ${x.dtype}`);
    const axis = normAxis(node.op, at.axis, x.dims.length);
    const c = new Calls();
    copyStrided(c, x.dtype, input(0), output(0), x.dims, stridesOf(x.dims));
    if (prod(idx.dims) > 0) {
      c.call('scatter_elements', TYPE[x.dtype]!, output(0), input(1), idx.dtype === 'int64' ? 1 : 0, input(2),
        idx.dims.length, c.ints(idx.dims), c.ints(stridesOf(x.dims)), axis, x.dims[axis], reduction);
    }
    return c.done();
  },
};

const scatterND: WasmKernel = {
  lower: ({ attrs, inputs }: LowerArgs): Lowering => {
    const [x, idx, upd] = inputs;
    const reduction = REDUCTION[(attrs as { reduction: string }).reduction];
    if (!x || !idx || idx.dtype !== 'int64' || !upd || TYPE[x.dtype] === undefined) return unsupported('no kernel for these inputs');
    if (reduction !== 0 && (x.dtype === 'float16' || x.dtype === 'bfloat16' || x.dtype === 'bool')) return unsupported(`a reduction over ${x.dtype}`);
    const k = idx.dims[idx.dims.length - 1];
    const c = new Calls();
    copyStrided(c, x.dtype, input(0), output(0), x.dims, stridesOf(x.dims));
    const tuples = prod(idx.dims.slice(0, -1)), block = prod(x.dims.slice(k));
    if (tuples * block > 0) {
      c.call('scatter_nd', TYPE[x.dtype]!, output(0), input(1), input(2), tuples, k, block,
        c.ints(x.dims.slice(0, k)), c.ints(stridesOf(x.dims).slice(0, k)), reduction);
    }
    return c.done();
  },
};

const oneHot: WasmKernel = {
  lower: ({ attrs, inputs, outputs }: LowerArgs): Lowering => {
    const [idx, , values] = inputs;
    if (!idx || !values || TYPE[idx.dtype] === undefined || idx.dtype === 'bool' || idx.dtype === 'float16' || idx.dtype === 'bfloat16' || values.dtype === 'string') {
      return unsupported('no kernel for these inputs');
    }
    const out = outputs[0].dims;
    const axis = normAxis('OneHot', (attrs as { axis: number }).axis, out.length);
    const e = byteSize(values.dtype);
    const c = new Calls();
    if (prod(out) > 0) {
      c.call('onehot', TYPE[idx.dtype]!, input(0), e, output(0), prod(out.slice(0, axis)), out[axis], prod(out.slice(axis + 1)), input(2), input(2, e));
    }
    return c.done();
  },
};

const trilu: WasmKernel = {
  lower: ({ attrs, inputs }: LowerArgs): Lowering => {
    const x = inputs[0];
    if (!x || x.dtype === 'string' || x.dims.length < 2) return unsupported('needs a matrix');
    if (inputs[1] && inputs[1].dtype !== 'int64') return unsupported('k must be int64');
    const [rows, cols] = x.dims.slice(-2);
    const c = new Calls();
    const batch = prod(x.dims.slice(0, -2));
    if (batch * rows * cols > 0) c.call('trilu', byteSize(x.dtype), input(0), output(0), batch, rows, cols, inputs[1] ? input(1) : 0, (attrs as { upper: boolean }).upper ? 1 : 0);
    return c.done();
  },
};

function cumulate(product: boolean): WasmKernel {
  return {
    lower: ({ node, attrs, inputs, constants }: LowerArgs): Lowering => {
      const x = inputs[0], a = inputs[1];
      if (!x || TYPE[x.dtype] === undefined || x.dtype === 'bool' || x.dtype === 'float16' || x.dtype === 'bfloat16') return unsupported(`no kernel for ${x?.dtype}`);
      if (!a || (a.dtype !== 'int32' && a.dtype !== 'int64')) return unsupported('the axis must be an integer');
      const at = attrs as { exclusive: boolean; reverse: boolean };
      const flags = [at.exclusive ? 1 : 0, at.reverse ? 1 : 0, product ? 1 : 0];
      const c = new Calls();
      if (prod(x.dims) === 0) return c.done();
      if (constants[1]) {
        const axis = normAxis(node.op, toInts(constants[1])[0], x.dims.length);
        c.call('cumulate', TYPE[x.dtype]!, input(0), output(0), prod(x.dims.slice(0, axis)), x.dims[axis], prod(x.dims.slice(axis + 1)), ...flags);
      } else {
        // the axis arrives at run time: the kernel splits the shape itself
        c.call('cumulate_axis', TYPE[x.dtype]!, input(0), output(0), x.dims.length, c.ints(x.dims), input(1), a.dtype === 'int64' ? 1 : 0, ...flags);
      }
      return c.done();
    },
  };
}

const topK: WasmKernel = {
  lower: ({ attrs, inputs, outputs }: LowerArgs): Lowering => {
    const x = inputs[0];
    const at = attrs as { axis: number; largest: boolean; k?: number };
    if (!x || TYPE[x.dtype] === undefined || x.dtype === 'bool' || x.dtype === 'float16' || x.dtype === 'bfloat16') return unsupported(`no kernel for ${x?.dtype}`);
    const axis = normAxis('TopK', at.axis, x.dims.length);
    const k = outputs[0].dims[axis];
    if (k > 4096) return unsupported('k above 4096');
    const c = new Calls();
    if (prod(outputs[0].dims) > 0) {
      c.call('topk', TYPE[x.dtype]!, input(0), output(0), output(1), prod(x.dims.slice(0, axis)), x.dims[axis], prod(x.dims.slice(axis + 1)), k, at.largest ? 1 : 0);
    }
    return c.done();
  },
};

/** Hardmax and LpNormalization over one axis (Hardmax before opset 13: the trailing axes together). */
function alongAxis(kind: 'hardmax' | 'lpnorm'): WasmKernel {
  return {
    lower: ({ attrs, inputs }: LowerArgs): Lowering => {
      const x = inputs[0];
      if (!x || x.dtype !== 'float32') return unsupported(`no kernel for ${x?.dtype}`);
      const at = attrs as { axis: number; coerce2d?: boolean; p?: number };
      const axis = normAxis(kind, at.axis, x.dims.length);
      const outer = prod(x.dims.slice(0, axis));
      const n = at.coerce2d ? prod(x.dims.slice(axis)) : x.dims[axis];
      const inner = at.coerce2d ? 1 : prod(x.dims.slice(axis + 1));
      const c = new Calls();
      if (outer * n * inner === 0) return c.done();
      if (kind === 'hardmax') c.call('hardmax_f32', input(0), output(0), outer, n, inner);
      else c.call('lpnorm_f32', input(0), output(0), outer, n, inner, at.p ?? 2);
      return c.done();
    },
  };
}

export const indexingKernels: Record<string, WasmKernel> = {
  GatherElements: gatherElements,
  ScatterElements: scatterElements,
  Scatter: scatterElements,
  ScatterND: scatterND,
  OneHot: oneHot,
  Trilu: trilu,
  CumSum: cumulate(false),
  CumProd: cumulate(true),
  TopK: topK,
  Hardmax: alongAxis('hardmax'),
  LpNormalization: alongAxis('lpnorm'),
};
