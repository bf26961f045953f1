// A kernel as the lowering sees it (the "program info"): WGSL source on one side; launch grid,
// the buffers it binds and its uniform shape numbers (run data) on the other. Generators are per
// op type; a shape number is baked into the source or passed as a uniform (wgsl.ts KernelDims),
// so kernels of one structure share a pipeline across shapes.

import type { Node } from '../../ir/graph';
import type { Layout } from '../../passes/layout-choice';
import type { DType, Tensor } from '../../tensor';
import type { GemmChooser } from './kernels/gemm-template';
import { KernelDims } from './wgsl';

/** A value as the lowering sees it: dtype and concrete dims. */
export interface ValueDesc {
  readonly dtype: DType;
  readonly dims: readonly number[];
}

/** One buffer a dispatch binds, in binding order (@group(0) @binding(i)). */
export type Binding =
  | { readonly kind: 'input'; readonly index: number }
  | { readonly kind: 'output'; readonly index: number }
  /** a temporary, private to this node's dispatches; `id` joins the dispatches that share it */
  | { readonly kind: 'scratch'; readonly id: number; readonly elements: number };

export interface Dispatch {
  /** complete WGSL with one `main` entry point */
  readonly wgsl: string;
  readonly workgroups: readonly [number, number, number];
  readonly bindings: readonly Binding[];
  /** a short name for reports and GPU timing, e.g. 'conv3x3s2' */
  readonly label: string;
  /** the `k_dims` uniform's words (KernelDims.words()), bound after `bindings` */
  readonly uniforms?: Uint32Array;
  /** a tunable GEMM's problem key (gemm-template.ts gemmKey): tuning runs time dispatches by it */
  readonly tuneKey?: string;
}

/** What a generator gets: the node, its parsed attributes, and concrete input/output types. */
export interface LowerArgs<A = unknown> {
  readonly node: Node;
  readonly attrs: A;
  readonly opset: number;
  readonly inputs: readonly (ValueDesc | undefined)[];
  readonly outputs: readonly ValueDesc[];
  /** inputs whose values are known at compile time (initializers), e.g. Conv weights, Pad pads */
  readonly constants: readonly (Tensor | undefined)[];
  /** shape numbers as uniforms where a generator can (fewer pipelines); false bakes them all in */
  readonly genericShapes?: boolean;
  /**
   * the device has the 'subgroups' feature and the session wants it: workgroup sums may use
   * subgroupAdd (reduce-template.ts); absent or false, the kernels use shared memory alone
   */
  readonly subgroups?: boolean;
  /** a tuned GEMM configuration for a problem, where a tuning run recorded one (../tune.ts) */
  readonly gemmChoice?: GemmChooser;
  /**
   * Where the layout choice (lower.ts) stores an input or the output channels-last (absent: all
   * plain, ONNX's order). Only a generator whose rule allows it is given one (convLayouts).
   */
  readonly layouts?: { readonly inputs: readonly Layout[]; readonly output: Layout };
}

/** The KernelDims a generator writes its shape numbers through. */
export const kernelDims = (args: Pick<LowerArgs, 'genericShapes'>): KernelDims => new KernelDims(args.genericShapes ?? true);

export type Lowering =
  /** run these dispatches */
  | { readonly kind: 'dispatch'; readonly dispatches: readonly Dispatch[] }
  /** output `index` 0 is input `input` reinterpreted (Reshape, Squeeze, Identity, …): no kernel */
  | { readonly kind: 'alias'; readonly input: number }
  /** this generator cannot handle these types or attributes: the reason is reported */
  | { readonly kind: 'unsupported'; readonly reason: string };

export type KernelGenerator<A = unknown> = (args: LowerArgs<A>) => Lowering;

export const unsupported = (reason: string): Lowering => ({ kind: 'unsupported', reason });
