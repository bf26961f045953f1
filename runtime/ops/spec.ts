// What an op is, apart from any backend: its typed attributes, its shape inference, and its
// reference kernel (plain TypeScript, correct first: the oracle for the fast backends and the
// evaluator constant folding uses). One `OpSpec` per ONNX op type, registered in ./registry.

import type { AttrValue, Graph, TensorType } from '../ir/graph';
import type { Tensor, Value } from '../tensor';

type AttrPayload = { [K in AttrValue['kind']]: Extract<AttrValue, { kind: K }>['value'] };

/** Typed, defaulted access to a node's attributes; errors name the op and attribute. */
export class Attrs {
  constructor(
    readonly op: string,
    private readonly map: ReadonlyMap<string, AttrValue>,
  ) {}

  has(name: string): boolean {
    return this.map.has(name);
  }

  private get<K extends AttrValue['kind']>(name: string, kind: K): AttrPayload[K] | undefined {
    const a = this.map.get(name);
    if (a === undefined) return undefined;
    if (a.kind !== kind) throw new OpError(this.op, `attribute '${name}' must be of kind ${kind}, got ${a.kind}`);
    return a.value as AttrPayload[K];
  }

  int(name: string, def: number): number;
  int(name: string): number | undefined;
  int(name: string, def?: number): number | undefined {
    return this.get(name, 'int') ?? def;
  }
  float(name: string, def: number): number;
  float(name: string): number | undefined;
  float(name: string, def?: number): number | undefined {
    const a = this.map.get(name);
    if (a?.kind === 'int') return a.value; // some exporters write integral floats as ints
    return this.get(name, 'float') ?? def;
  }
  string(name: string, def: string): string;
  string(name: string): string | undefined;
  string(name: string, def?: string): string | undefined {
    return this.get(name, 'string') ?? def;
  }
  ints(name: string, def: readonly number[]): readonly number[];
  ints(name: string): readonly number[] | undefined;
  ints(name: string, def?: readonly number[]): readonly number[] | undefined {
    return this.get(name, 'ints') ?? def;
  }
  floats(name: string, def: readonly number[]): readonly number[];
  floats(name: string): readonly number[] | undefined;
  floats(name: string, def?: readonly number[]): readonly number[] | undefined {
    return this.get(name, 'floats') ?? def;
  }
  strings(name: string): readonly string[] | undefined {
    return this.get(name, 'strings');
  }
  tensor(name: string): Tensor | undefined {
    return this.get(name, 'tensor');
  }
  graph(name: string): Graph | undefined {
    return this.get(name, 'graph');
  }
  /** the raw attribute, for ops such as Constant whose value may come in several kinds */
  raw(name: string): AttrValue | undefined {
    return this.map.get(name);
  }
}

/** An error raised by an op: says which op and what it expected. */
export class OpError extends Error {
  constructor(op: string, message: string) {
    super(`${op}: ${message}`);
    this.name = 'OpError';
  }
}

/** Thrown for an op, attribute form or dtype the engine does not implement. */
export class NotSupportedOpError extends OpError {
  constructor(op: string, message: string) {
    super(op, message);
    this.name = 'NotSupportedOpError';
  }
}

/** What a kernel may ask of the executor (control-flow ops run subgraphs through it). */
export interface RunContext {
  /** ai.onnx opset version the node was imported under */
  readonly opset: number;
  /** how many outputs the node declares (Split before opset 18 divides into that many parts) */
  readonly numOutputs: number;
  /** Runs a subgraph with explicit inputs, seeing outer-scope values by name. */
  runGraph(graph: Graph, inputs: readonly Value[]): Value[];
}

export interface OpSpec<A = unknown> {
  /** ONNX op type, e.g. 'Conv' */
  readonly op: string;
  /** '' for ai.onnx (default), 'ai.onnx.ml', 'com.microsoft', … */
  readonly domain?: string;
  /** Parses the node's attributes into a typed record, applying defaults for `opset`. */
  attrs(a: Attrs, opset: number): A;
  /**
   * Infers output types from input types (null when not known statically). May return fewer
   * facts than it could: null shapes are allowed. Optional while an op's inference is pending.
   * `constants` holds the inputs whose values are known at compile time (for ops whose output
   * shape depends on such values, Pad's pads say).
   */
  infer?(inputs: readonly (TensorType | null)[], attrs: A, opset: number, constants?: readonly (Tensor | undefined)[]): (TensorType | null)[];
  /** Reference kernel over tensors; an omitted optional input is undefined. */
  run?(inputs: readonly (Tensor | undefined)[], attrs: A, ctx: RunContext): Tensor[];
  /** Reference kernel over any values (sequences, optionals, control flow). */
  runValues?(inputs: readonly (Value | undefined)[], attrs: A, ctx: RunContext): Value[];
}

/** Helps declare a spec with its attribute type inferred. */
export function defineOp<A>(spec: OpSpec<A>): OpSpec<A> {
  return spec;
}
