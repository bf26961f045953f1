// The graph IR: nodes over named values, with typed attributes and constant initializers.
// Independent of ONNX protobuf: importers build it, passes rewrite it, backends lower it.

import type { DType, Tensor } from '../tensor';

/** A dimension: a fixed size, a symbolic name (e.g. "batch"), or null when unknown. */
export type Dim = number | string | null;

export interface TensorType {
  readonly kind: 'tensor';
  readonly dtype: DType;
  /** null when the rank itself is unknown */
  readonly shape: readonly Dim[] | null;
}
export interface SequenceType { readonly kind: 'sequence'; readonly elem: ValueType | null }
export interface OptionalType { readonly kind: 'optional'; readonly elem: ValueType | null }
export type ValueType = TensorType | SequenceType | OptionalType;

export interface ValueInfo {
  readonly name: string;
  readonly type: ValueType | null;
}

export type AttrValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'tensor'; readonly value: Tensor }
  | { readonly kind: 'graph'; readonly value: Graph }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensors'; readonly value: readonly Tensor[] }
  | { readonly kind: 'graphs'; readonly value: readonly Graph[] };

export interface Node {
  readonly name: string;
  readonly op: string;
  /** '' for the default ONNX domain */
  readonly domain: string;
  /** input value names; '' marks an omitted optional input */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: ReadonlyMap<string, AttrValue>;
}

export interface Graph {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  /** constant tensors by value name (ONNX initializers) */
  readonly initializers: ReadonlyMap<string, Tensor>;
  /** in topological order */
  readonly nodes: readonly Node[];
  /** type annotations for intermediate values, where the model carries them */
  readonly valueInfo: ReadonlyMap<string, ValueInfo>;
}

export interface Model {
  readonly graph: Graph;
  /** opset version per domain ('' = ai.onnx) */
  readonly opsets: ReadonlyMap<string, number>;
  readonly producer: string;
  readonly irVersion: number;
  /** model-local functions, by "domain:name" */
  readonly functions: ReadonlyMap<string, FunctionDef>;
}

/** A model-local function (ONNX FunctionProto): expanded at call sites by the executor. */
export interface FunctionDef {
  readonly name: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: readonly string[];
  readonly nodes: readonly Node[];
  readonly opsets: ReadonlyMap<string, number>;
}
