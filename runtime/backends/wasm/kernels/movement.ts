// Data movement for every dtype as strided copies (copy_nd): Transpose, Expand, Tile, Slice,
// Concat, Split, DepthToSpace, SpaceToDepth; Pad through per-axis index maps (take_nd); Gather
// along one axis. Sources are read through their layout's strides, so no conversion precedes
// them, and the copies write whichever layout the layout-choice pass picks; a Transpose whose
// output in that layout walks its input's memory in order is an alias.

import { normAxis } from '../../../ops/broadcast';
import { OUTSIDE, type Mode as PadMode } from '../../../ops/movement/pad';
import { window } from '../../../ops/movement/slice';
import { allocData, byteSize, fromNumbers, toInts, type Tensor, type TypedArray } from '../../../tensor';
import { Calls, copiesFirst, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import { logicalStrides, memoryOrder, type Layout, type ValueDesc } from '../layout';
import { copyStrided } from './copy';
import { broadcastStrides } from './broadcast';

/** Element strides of an output's logical axes, stored in `layout`. */
const outStrides = (dims: readonly number[], layout: Layout): number[] => logicalStrides({ dims, layout });

/** The integers of a constant input, or undefined. */
const constInts = (t: Tensor | undefined): number[] | undefined => (t ? toInts(t) : undefined);

const transpose: WasmKernel = {
  layouts: copiesFirst,
  lower: ({ attrs, inputs, outputs, layout }: LowerArgs): Lowering => {
    const x = inputs[0]!;
    const rank = x.dims.length;
    const given = (attrs as { perm?: readonly number[] }).perm;
    const perm = (given && given.length ? given : Array.from({ length: rank }, (_, i) => rank - 1 - i)).map((a) => (a < 0 ? a + rank : a));
    // Output axis k is input axis perm[k]. When the output, stored in the chosen layout, walks
    // memory in the input's own order, it is the input's bytes: an alias.
    const inOrder = memoryOrder(x.layout, rank);
    const walk = memoryOrder(layout, rank).map((k) => perm[k]);
    if (walk.every((a, i) => a === inOrder[i])) return { kind: 'alias', input: 0, layout };
    const s = logicalStrides(x);
    const c = new Calls();
    copyStrided(c, x.dtype, input(0), output(0), outputs[0].dims, perm.map((a) => s[a]), outStrides(outputs[0].dims, layout));
    return c.done([layout]);
  },
};

const expand: WasmKernel = {
  layouts: copiesFirst,
  lower: ({ inputs, outputs, layout }: LowerArgs): Lowering => {
    const x = inputs[0]!;
    const c = new Calls();
    copyStrided(c, x.dtype, input(0), output(0), outputs[0].dims, broadcastStrides(x, outputs[0].dims), outStrides(outputs[0].dims, layout));
    return c.done([layout]);
  },
};

/** Tile: the output as [r0, d0, r1, d1, …], reading the input with stride 0 along each repeat. */
const tile: WasmKernel = {
  layouts: copiesFirst,
  lower: ({ inputs, outputs, layout }: LowerArgs): Lowering => {
    const x = inputs[0]!;
    const s = logicalStrides(x);
    const ys = outStrides(outputs[0].dims, layout);
    const dims: number[] = [], from: number[] = [], to: number[] = [];
    x.dims.forEach((d, a) => {
      dims.push(d === 0 ? 0 : outputs[0].dims[a] / d, d);
      from.push(0, s[a]);
      to.push(d * ys[a], ys[a]);
    });
    const c = new Calls();
    copyStrided(c, x.dtype, input(0), output(0), dims, from, to);
    return c.done([layout]);
  },
};

const slice: WasmKernel = {
  layouts: copiesFirst,
  lower: ({ attrs, inputs, constants, opset, outputs, layout }: LowerArgs): Lowering => {
    const x = inputs[0]!;
    const at = attrs as { starts?: readonly number[]; ends?: readonly number[]; axes?: readonly number[] };
    const starts = opset < 10 ? at.starts : constInts(constants[1]);
    const ends = opset < 10 ? at.ends : constInts(constants[2]);
    if (!starts || !ends) return unsupported('starts and ends must be constant');
    const axesIn = opset < 10 ? at.axes : inputs[3] ? constInts(constants[3]) : undefined;
    const stepsIn = opset < 10 ? undefined : inputs[4] ? constInts(constants[4]) : undefined;
    if ((inputs[3] && !axesIn) || (inputs[4] && !stepsIn)) return unsupported('axes and steps must be constant');
    const rank = x.dims.length;
    const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => normAxis('Slice', a, rank));
    const s = logicalStrides(x);
    const strides = [...s];
    let offset = 0;
    axes.forEach((a, i) => {
      const step = stepsIn?.[i] ?? 1;
      const [start, len] = window(x.dims[a], starts[i], ends[i], step);
      strides[a] = s[a] * step;
      if (len > 0) offset += start * s[a];
    });
    const c = new Calls();
    copyStrided(c, x.dtype, input(0, offset * byteSize(x.dtype)), output(0), outputs[0].dims, strides, outStrides(outputs[0].dims, layout));
    return c.done([layout]);
  },
};

/**
 * Concat: each input read through its strides and copied into its slot of the output, except
 * those their producers already wrote there (inPlace: the output is then channels-last).
 */
const concat: WasmKernel = {
  layouts: ({ inputs, inPlace }) => ({ inputs: inputs.map(() => 'any'), output: inPlace?.some(Boolean) ? 'nhwc' : 'free' }),
  lower: ({ attrs, inputs, outputs, inPlace, layout: chosen }: LowerArgs): Lowering => {
    const out = outputs[0].dims;
    const rank = out.length;
    const axis = normAxis('Concat', (attrs as { axis: number }).axis, rank);
    const layout: Layout = inPlace?.some(Boolean) ? 'nhwc' : chosen;
    const ys = outStrides(out, layout);
    const c = new Calls();
    let at = 0;
    inputs.forEach((d, i) => {
      if (!d) return;
      if (!inPlace?.[i]) copyStrided(c, d.dtype, input(i), output(0, at * ys[axis] * byteSize(d.dtype)), d.dims, logicalStrides(d), ys);
      at += d.dims[axis];
    });
    return c.done([layout]);
  },
};

const split: WasmKernel = {
  layouts: copiesFirst,
  lower: ({ attrs, inputs, outputs, layout }: LowerArgs): Lowering => {
    const x = inputs[0]!;
    const axis = normAxis('Split', (attrs as { axis: number }).axis, x.dims.length);
    const s = logicalStrides(x);
    const c = new Calls();
    let at = 0;
    outputs.forEach((o, i) => {
      copyStrided(c, x.dtype, input(0, at * s[axis] * byteSize(x.dtype)), output(i), o.dims, s, outStrides(o.dims, layout));
      at += o.dims[axis];
    });
    return c.done(outputs.map(() => layout));
  },
};

/** DepthToSpace / SpaceToDepth as one copy over a 6-D view of the plain input. */
function depthSpace(toSpace: boolean): WasmKernel {
  return {
    lower: ({ attrs, inputs }: LowerArgs): Lowering => {
      const x = inputs[0]!;
      if (x.dims.length !== 4) return unsupported('needs a 4-D input');
      const { blocksize: b, crd } = attrs as { blocksize: number; crd?: boolean };
      const [N, C, H, W] = x.dims;
      const c = new Calls();
      if (toSpace) {
        const Co = C / (b * b);
        // input channel = (bh·b + bw)·Co + co (DCR) or co·b² + bh·b + bw (CRD); output [N, Co, H, bh, W, bw]
        const sN = C * H * W, sCh = H * W;
        const [sCo, sBh, sBw] = crd ? [b * b * sCh, b * sCh, sCh] : [sCh, b * Co * sCh, Co * sCh];
        copyStrided(c, x.dtype, input(0), output(0), [N, Co, H, b, W, b], [sN, sCo, W, sBh, 1, sBw]);
      } else {
        // output channel (bh·b + bw)·C + c reads [n, c, oh·b + bh, ow·b + bw]; output [N, bh, bw, C, OH, OW]
        const OH = H / b, OW = W / b;
        copyStrided(c, x.dtype, input(0), output(0), [N, b, b, C, OH, OW], [C * H * W, W, 1, H * W, b * W, b]);
      }
      return c.done();
    },
  };
}

/** Pad in any mode: per-axis maps from output to input coordinates (-1: the constant). */
const pad: WasmKernel = {
  layouts: copiesFirst,
  lower: ({ attrs, inputs, constants, outputs, layout }: LowerArgs): Lowering => {
    const x = inputs[0]!;
    const at = attrs as { mode: PadMode; pads?: readonly number[]; value: number };
    const rank = x.dims.length;
    let pads = at.pads ?? constInts(constants[1]);
    if (!pads) return unsupported('pads must be constant');
    if (inputs[3]) {
      const axes = constInts(constants[3]);
      if (!axes) return unsupported('axes must be constant');
      const full = new Array<number>(2 * rank).fill(0);
      axes.map((a) => normAxis('Pad', a, rank)).forEach((a, i) => {
        full[a] = pads![i];
        full[a + rank] = pads![i + axes.length];
      });
      pads = full;
    }
    const out = outputs[0].dims;
    if (out.some((d) => d === 0)) return new Calls().done([layout]);
    // the output written in memory order: its axes, the input's strides and the maps in that order
    const order = memoryOrder(layout, rank);
    const s = logicalStrides(x);
    const tables: number[] = [];
    for (const a of order) {
      for (let o = 0; o < out[a]; o++) {
        const i = o - pads![a];
        tables.push(i >= 0 && i < x.dims[a] ? i : OUTSIDE[at.mode](i, x.dims[a]));
      }
    }
    const c = new Calls();
    // the fill value: a constant_value input read in place (computed or not), else the attribute's
    let fill: Addr;
    if (inputs[2] && inputs[2].dims.reduce((a, b) => a * b, 1) > 0) fill = input(2);
    else {
      const value = allocData(x.dtype, 1) as TypedArray;
      value.set(fromNumbers(x.dtype, [1], [at.value]).data as never);
      fill = c.const(value);
    }
    c.call('take_nd', byteSize(x.dtype), input(0), output(0), rank, c.ints(order.map((a) => out[a])), c.ints(order.map((a) => s[a])), c.ints(tables), fill);
    return c.done([layout]);
  },
};

/** Gather on one axis: indices constant (normalised here) or computed (int32/int64). */
const gather: WasmKernel = {
  lower: ({ attrs, inputs, constants }: LowerArgs): Lowering => {
    const [x, idx] = inputs as [ValueDesc, ValueDesc];
    const axis = normAxis('Gather', (attrs as { axis: number }).axis, x.dims.length);
    const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
    const inner = x.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
    const len = x.dims[axis];
    const count = idx.dims.reduce((a, b) => a * b, 1);
    const c = new Calls();
    if (outer * inner * count === 0) return c.done();
    const k = constants[1];
    if (k) {
      const v = toInts(k).map((i) => (i < 0 ? i + len : i));
      if (v.some((i) => i < 0 || i >= len)) return unsupported('an index is out of range');
      c.call('gather', byteSize(x.dtype), input(0), c.ints(v), 0, output(0), outer, len, inner, count);
    } else {
      if (idx.dtype !== 'int64' && idx.dtype !== 'int32') return unsupported(`indices of type ${idx.dtype}`);
      c.call('gather', byteSize(x.dtype), input(0), input(1), idx.dtype === 'int64' ? 1 : 0, output(0), outer, len, inner, count);
    }
    return c.done();
  },
};

export const movementKernels: Record<string, WasmKernel> = {
  Transpose: transpose,
  Expand: expand,
  Tile: tile,
  Slice: slice,
  Concat: concat,
  Split: split,
  Pad: pad,
  Gather: gather,
  DepthToSpace: depthSpace(true),
  SpaceToDepth: depthSpace(false),
};
