// A kernel as the lowering sees it: how it takes layouts (for the layout-choice pass), and the
// calls into the kernel module that compute a node, with their arguments symbolic (a node's
// inputs and outputs, constants packed at compile time, a scratch area) until the plan places
// everything in memory.

import type { Node } from '../../ir/graph';
import type { Tensor } from '../../tensor';
import type { KernelName } from './exports';
import type { StepLayouts } from '../../passes/layout-choice';
import { canBeChannelsLast, type Layout, type ValueDesc } from './layout';

/**
 * Data a plan places once at compile time: bytes, or a packer that writes its floats straight
 * into linear memory (weights are packed in place, with no intermediate copy).
 */
export type Const = ArrayBufferView | Packed;

export interface Packed {
  readonly byteLength: number;
  /** fills `out` (exactly byteLength / 4 floats, zeroed beforehand) */
  write(out: Float32Array): void;
}

/** A byte address the plan resolves: `offset` bytes into a node's input, output, constant or scratch. */
export type Addr =
  | { readonly kind: 'input'; readonly index: number; readonly offset?: number }
  | { readonly kind: 'output'; readonly index: number; readonly offset?: number }
  /** the `index`-th entry of the lowering's `consts` */
  | { readonly kind: 'const'; readonly index: number; readonly offset?: number }
  | { readonly kind: 'scratch'; readonly offset?: number };

export type Arg = number | Addr;

export interface Call {
  readonly fn: KernelName;
  readonly args: readonly Arg[];
}

/** What a generator gets: the node, its parsed attributes, its values as they sit in memory. */
export interface LowerArgs<A = unknown> {
  readonly node: Node;
  readonly attrs: A;
  readonly opset: number;
  /** the inputs in the layouts the kernel asked for (undefined: omitted, or not known statically) */
  readonly inputs: readonly (ValueDesc | undefined)[];
  /** the layout chosen for the outputs of a kernel whose outputs are 'free' (plain for the others) */
  readonly layout: Layout;
  /** the outputs' dtypes and logical dims */
  readonly outputs: readonly { readonly dtype: ValueDesc['dtype']; readonly dims: readonly number[] }[];
  /** inputs whose values are known at compile time (initializers), e.g. Conv weights */
  readonly constants: readonly (Tensor | undefined)[];
  /**
   * Output 0 is to be written as channels [offset, offset + its channels) of a channels-last
   * tensor of `channels` channels (a Concat's output, which then needs no copy). Only asked of
   * kernels that declare `slices`.
   */
  readonly outputSlice?: { readonly offset: number; readonly channels: number };
  /** For a Concat: the inputs their producers already wrote into its (channels-last) output. */
  readonly inPlace?: readonly boolean[];
}

export type Lowering =
  | {
    readonly kind: 'calls';
    readonly calls: readonly Call[];
    /** data the calls read, placed once at compile time (packed weights, index tables, shapes) */
    readonly consts?: readonly Const[];
    /** bytes of scratch the calls use, private to this node */
    readonly scratch?: number;
    /** the outputs' layouts (default: all 'plain') */
    readonly layouts?: readonly Layout[];
  }
  /** output 0 is input `input`'s bytes reinterpreted (Reshape, Identity, …), in `layout` (default: the input's) */
  | { readonly kind: 'alias'; readonly input: number; readonly layout?: Layout }
  | { readonly kind: 'unsupported'; readonly reason: string };

export interface WasmKernel<A = unknown> {
  /**
   * How it reads its inputs and writes its outputs (default: all plain), asked before any layout
   * is chosen: it reads dims and attributes, never the inputs' layouts.
   */
  layouts?(args: LowerArgs<A>): StepLayouts;
  /** Whether it can write a channels-last output 0 as a channel slice of a wider tensor (outputSlice). */
  readonly slices?: boolean;
  lower(args: LowerArgs<A>): Lowering;
}

/** Reads input 0 in the layout it writes, whichever the pass picks; the other inputs plain. */
export const followsFirst = ({ inputs }: LowerArgs): StepLayouts => ({ inputs: inputs.map((_, i) => (i === 0 ? 'out' : 'plain')), output: 'free' });

/** Reads input 0 through strides in either layout and writes either; the other inputs plain. */
export const copiesFirst = ({ inputs }: LowerArgs): StepLayouts => ({ inputs: inputs.map((_, i) => (i === 0 ? 'any' : 'plain')), output: 'free' });

/** Broadcasting elementwise: full-size inputs in the layout it writes, broadcast ones through strides. */
export const broadcasting = ({ inputs, outputs }: LowerArgs): StepLayouts => {
  const out = outputs[0]?.dims ?? [];
  const full = (d: ValueDesc | undefined) => !!d && d.dims.length === out.length && d.dims.every((x, i) => x === out[i]);
  return { inputs: inputs.map((d) => (full(d) ? 'out' : 'any')), output: 'free' };
};

/** Spatial kernels (conv, pools): the data channels-last where its rank allows, the rest plain. */
export const channelsLast = ({ inputs }: LowerArgs): StepLayouts => {
  const nhwc = !!inputs[0] && canBeChannelsLast(inputs[0].dims);
  return { inputs: inputs.map((_, i) => (i === 0 && nhwc ? 'nhwc' : 'plain')), output: nhwc ? 'nhwc' : 'plain' };
};

export const unsupported = (reason: string): Lowering => ({ kind: 'unsupported', reason });

export const input = (index: number, offset = 0): Addr => ({ kind: 'input', index, offset });
export const output = (index: number, offset = 0): Addr => ({ kind: 'output', index, offset });
export const constant = (index: number, offset = 0): Addr => ({ kind: 'const', index, offset });
export const scratch = (offset = 0): Addr => ({ kind: 'scratch', offset });

/** A lowering builder: collects calls and constants, hands out their addresses. */
export class Calls {
  readonly calls: Call[] = [];
  readonly consts: Const[] = [];
  scratch = 0;
  layouts: Layout[] | undefined;

  /** Adds a constant (written into memory once) and returns its address. */
  const(data: Const): Addr {
    this.consts.push(data);
    return constant(this.consts.length - 1);
  }

  /** An i32 array constant (dims, strides, index tables). */
  ints(values: readonly number[]): Addr {
    return this.const(Int32Array.from(values));
  }

  /** Reserves an area of the node's scratch (after the ones reserved before) and returns its address. */
  needScratch(bytes: number): Addr {
    const at = this.scratch;
    this.scratch = at + Math.ceil(bytes / 64) * 64;
    return scratch(at);
  }

  call(fn: KernelName, ...args: Arg[]): this {
    this.calls.push({ fn, args });
    return this;
  }

  done(layouts?: Layout[]): Lowering {
    return { kind: 'calls', calls: this.calls, consts: this.consts, scratch: this.scratch, layouts: layouts ?? this.layouts };
  }
}
