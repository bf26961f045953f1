// Reductions (ReduceSum … ReduceLogSumExp, ArgMax/ArgMin) over a [outer, r, inner] view. When the
// input's memory order already groups the reduced axes into one run between kept ones (say the
// spatial axes of a channels-last tensor), the kernel reads it in place; otherwise the kept axes
// are first gathered in front of the reduced ones into scratch.

import { normAxis } from '../../../ops/broadcast';
import { stridesOf } from '../../../tensor';
import { REDUCE } from '../codes';
import { Calls, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import { logicalStrides, memoryOrder, type ValueDesc } from '../layout';
import { copyStrided } from './copy';

const prod = (a: readonly number[]) => a.reduce((p, d) => p * d, 1);

/**
 * The [outer, r, inner] view of x reducing `axes`, copying into scratch when its memory order
 * does not allow one (kept axes must also stay in their logical order).
 */
function view(c: Calls, x: ValueDesc, axes: ReadonlySet<number>): { src: Addr; outer: number; r: number; inner: number } {
  const order = memoryOrder(x.layout, x.dims.length).filter((a) => x.dims[a] !== 1);
  const first = order.findIndex((a) => axes.has(a));
  const last = order.length - 1 - [...order].reverse().findIndex((a) => axes.has(a));
  const kept = order.filter((a) => !axes.has(a));
  const block = first < 0 ? [] : order.slice(first, last + 1);
  const inPlace = block.every((a) => axes.has(a)) && kept.every((a, i) => i === 0 || a > kept[i - 1]);
  if (inPlace) {
    const before = first < 0 ? order : order.slice(0, first);
    const after = first < 0 ? [] : order.slice(last + 1);
    return { src: input(0), outer: prod(before.map((a) => x.dims[a])), r: prod(block.map((a) => x.dims[a])), inner: prod(after.map((a) => x.dims[a])) };
  }
  const keptAll = x.dims.map((_, a) => a).filter((a) => !axes.has(a));
  const redAll = x.dims.map((_, a) => a).filter((a) => axes.has(a));
  const perm = [...keptAll, ...redAll];
  const s = logicalStrides(x);
  const dims = perm.map((a) => x.dims[a]);
  const tmp = c.needScratch(prod(dims) * 4);
  copyStrided(c, x.dtype, input(0), tmp, dims, perm.map((a) => s[a]), stridesOf(dims));
  return { src: tmp, outer: prod(keptAll.map((a) => x.dims[a])), r: prod(redAll.map((a) => x.dims[a])), inner: 1 };
}

interface ReduceAttrs {
  readonly axes?: readonly number[];
  readonly noopWithEmptyAxes: boolean;
  readonly axesInput: boolean;
}

function reduce(code: number): WasmKernel {
  return {
    layouts: ({ inputs }) => ({ inputs: inputs.map((_, i) => (i === 0 ? 'any' : 'plain')), output: 'plain' }),
    lower: ({ node, attrs, inputs, constants }: LowerArgs<ReduceAttrs>): Lowering => {
      const x = inputs[0];
      if (!x || x.dtype !== 'float32') return unsupported(`no kernel for ${x?.dtype}`);
      let given: readonly number[] | undefined = attrs.axes ?? [];
      if (attrs.axesInput) given = node.inputs[1] ? constants[1] && Array.from(constants[1].data as ArrayLike<number | bigint>, Number) : [];
      if (!given) return unsupported('axes must be constant');
      const c = new Calls();
      const n = prod(x.dims);
      if (given.length === 0 && attrs.noopWithEmptyAxes) {
        copyStrided(c, x.dtype, input(0), output(0), x.dims, logicalStrides(x));
        return c.done();
      }
      const axes = new Set(given.length ? given.map((a) => normAxis(node.op, a, x.dims.length)) : x.dims.map((_, i) => i));
      const v = view(c, x, axes);
      if (v.outer * v.inner === 0) return c.done();
      if (n === 0) {
        // nothing to reduce: every output is the reduction's identity
        const id = code === REDUCE.ReduceMax ? -Infinity : code === REDUCE.ReduceMin ? Infinity : code === REDUCE.ReduceProd ? 1
          : code === REDUCE.ReduceLogSum || code === REDUCE.ReduceLogSumExp ? -Infinity : 0;
        c.call('fill', 4, output(0), v.outer * v.inner, c.const(Float32Array.of(id)));
        return c.done();
      }
      c.call('reduce_f32', code, v.src, output(0), v.outer, v.r, v.inner);
      return c.done();
    },
  };
}

function arg(isMin: boolean): WasmKernel {
  return {
    lower: ({ node, attrs, inputs }: LowerArgs): Lowering => {
      const x = inputs[0];
      if (!x || x.dtype !== 'float32') return unsupported(`no kernel for ${x?.dtype}`);
      const at = attrs as { axis: number; selectLast: boolean };
      const axis = normAxis(node.op, at.axis, x.dims.length);
      const c = new Calls();
      const outer = prod(x.dims.slice(0, axis)), r = x.dims[axis], inner = prod(x.dims.slice(axis + 1));
      if (r === 0) return unsupported('the axis is empty');
      if (outer * inner > 0) c.call('argreduce_f32', input(0), output(0), outer, r, inner, isMin ? 1 : 0, at.selectLast ? 1 : 0);
      return c.done();
    },
  };
}

export const reduceKernels: Record<string, WasmKernel> = {
  ...Object.fromEntries(Object.entries(REDUCE).map(([op, code]) => [op, reduce(code)])),
  ArgMax: arg(false),
  ArgMin: arg(true),
};
