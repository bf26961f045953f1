// A compiled model as plain data (structured-cloneable: IndexedDB stores it as is, Node's
// v8.serialize writes it to a file): the plans a backend compiled — the optimized graph, every
// kernel with its launch parameters, weights already packed for the kernels — with what a session
// needs to answer without the model (its inputs and outputs). Restoring one creates pipelines and
// places weights; it never re-imports or re-optimizes.

import type { Model, Node } from './ir/graph';
import type { Tensor } from './tensor';
import type { BackendName } from './backends';
import type { TensorInfo } from './session';

declare const __KILN_COMPILER_VERSION__: string | undefined;

/**
 * What produced a compiled model: a hash of the compiler's sources stamped in at build time
 * (vite.config.ts), so any change to the compiler retires the artifacts of the one before. Code
 * run unbundled (tests, the CLI through tsx) says 'dev'.
 */
export const COMPILER_VERSION: string = typeof __KILN_COMPILER_VERSION__ === 'string' ? __KILN_COMPILER_VERSION__ : 'dev';

const FORMAT = 'kiln.compiled/1';

/** One compiled plan: the key its executable caches it under (shapes and shape-operand values), and its data. */
export interface PlanRecord {
  readonly key: string;
  /** the input shapes it was compiled for */
  readonly shapes: readonly (readonly [name: string, dims: readonly number[]])[];
  /** the backend's own plain-data plan */
  readonly plan: unknown;
}

export interface CompiledModel {
  readonly format: typeof FORMAT;
  readonly compilerVersion: string;
  readonly backend: BackendName;
  /** the backend's device (adapter and features, or the CPU's instruction set) */
  readonly deviceFingerprint: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  /** graph inputs whose values the plans were specialised on */
  readonly valueInputs: readonly string[];
  readonly plans: readonly PlanRecord[];
}

export function compiledModel(parts: Omit<CompiledModel, 'format' | 'compilerVersion'>): CompiledModel {
  return { format: FORMAT, compilerVersion: COMPILER_VERSION, ...parts };
}

/**
 * Why `data` is not a compiled model this compiler can restore for `backend` on
 * `deviceFingerprint`, or undefined when it is one.
 */
export function compiledProblem(data: unknown, backend: BackendName, deviceFingerprint: string): string | undefined {
  const c = data as Partial<CompiledModel> | null;
  if (typeof c !== 'object' || c === null || c.format !== FORMAT) return `not a compiled model (expected format '${FORMAT}')`;
  if (c.compilerVersion !== COMPILER_VERSION) return `compiled by compiler ${c.compilerVersion}, this is ${COMPILER_VERSION}`;
  if (c.backend !== backend) return `compiled for the ${c.backend} backend, not ${backend}`;
  if (c.deviceFingerprint !== deviceFingerprint) return `compiled for another device (${c.deviceFingerprint})`;
  if (!Array.isArray(c.plans) || !Array.isArray(c.inputs) || !Array.isArray(c.outputs) || !Array.isArray(c.valueInputs)) return 'a compiled model with missing parts';
  return undefined;
}

/** A tensor whose data owns its buffer (a view into a larger buffer would be stored whole). */
export function compactTensor(t: Tensor): Tensor {
  const d = t.data;
  if (Array.isArray(d) || (d.byteOffset === 0 && d.byteLength === d.buffer.byteLength)) return t;
  return { ...t, data: d.slice() as Tensor['data'] };
}

/** The model with only the initializers `keep` names, each compacted. */
export function withInitializers(model: Model, keep: ReadonlySet<string>): Model {
  const initializers = new Map<string, Tensor>();
  for (const [name, t] of model.graph.initializers) if (keep.has(name)) initializers.set(name, compactTensor(t));
  return { ...model, graph: { ...model.graph, initializers } };
}

/** Every value name the nodes read, their subgraphs' reads (outer values they capture) included. */
export function namesReadBy(nodes: readonly Node[], into = new Set<string>()): Set<string> {
  for (const n of nodes) {
    for (const i of n.inputs) if (i) into.add(i);
    for (const a of n.attrs.values()) {
      if (a.kind === 'graph') namesReadBy(a.value.nodes, into);
      if (a.kind === 'graphs') for (const g of a.value) namesReadBy(g.nodes, into);
    }
  }
  return into;
}

/** Bytes a compiled model holds in typed arrays and strings (what storing it costs, about). */
export function compiledBytes(c: CompiledModel): number {
  let bytes = 0;
  const seen = new Set<unknown>();
  const walk = (v: unknown): void => {
    if (typeof v === 'string') bytes += v.length;
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (ArrayBuffer.isView(v)) bytes += v.byteLength;
    else if (v instanceof Map) for (const [k, x] of v) (walk(k), walk(x));
    else for (const x of Object.values(v)) walk(x);
  };
  walk(c);
  return bytes;
}
