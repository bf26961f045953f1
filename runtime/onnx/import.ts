// ONNX importer: model bytes → the graph IR. Decodes with static protobuf code and converts every
// part (graphs and subgraphs, attributes, initializers, value types, opsets, local functions).

import type { AttrValue, Dim, FunctionDef, Graph, Model, Node, ValueInfo, ValueType } from '../ir/graph';
import { int64Number, onnx, type LongLike, type pb } from './proto';
import { dtypeFromOnnx, tensorFromProto } from './tensor-proto';

/** The model bytes are not a valid ONNX model. */
export class ModelFormatError extends Error {
  override name = 'ModelFormatError';
}

const utf8 = new TextDecoder();
const AT = onnx.AttributeProto.AttributeType;

export function importOnnx(bytes: Uint8Array): Model {
  let proto: pb.ModelProto;
  try {
    proto = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new ModelFormatError(`not an ONNX model: protobuf decoding failed (${(e as Error).message})`);
  }
  if (!proto.graph) throw new ModelFormatError('not an ONNX model: it has no graph');
  const opsets = opsetMap(proto.opsetImport);
  if (!opsets.has('')) opsets.set('', 1);
  const functions = new Map<string, FunctionDef>();
  for (const f of proto.functions ?? []) {
    functions.set(`${f.domain ?? ''}:${f.name ?? ''}`, {
      name: f.name ?? '',
      domain: f.domain ?? '',
      inputs: f.input ?? [],
      outputs: f.output ?? [],
      attributes: f.attribute ?? [],
      nodes: (f.node ?? []).map(importNode),
      opsets: opsetMap(f.opsetImport),
    });
  }
  return {
    graph: importGraph(proto.graph),
    opsets,
    producer: `${proto.producerName ?? ''} ${proto.producerVersion ?? ''}`.trim(),
    irVersion: int64Number(proto.irVersion as LongLike),
    functions,
  };
}

function opsetMap(list: pb.IOperatorSetIdProto[] | null | undefined): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of list ?? []) {
    const d = o.domain === 'ai.onnx' ? '' : o.domain ?? '';
    m.set(d, int64Number(o.version as LongLike));
  }
  return m;
}

export function importGraph(g: pb.IGraphProto): Graph {
  const initializers = new Map((g.initializer ?? []).map((t) => [t.name ?? '', tensorFromProto(t)] as const));
  if ((g.sparseInitializer ?? []).length) {
    throw new ModelFormatError('sparse initializers are not supported yet');
  }
  const valueInfo = new Map<string, ValueInfo>();
  for (const v of g.valueInfo ?? []) valueInfo.set(v.name ?? '', importValueInfo(v));
  return {
    name: g.name ?? '',
    // Older exporters list initializers as graph inputs too; those are constants, not feeds.
    inputs: (g.input ?? []).filter((v) => !initializers.has(v.name ?? '')).map(importValueInfo),
    outputs: (g.output ?? []).map(importValueInfo),
    initializers,
    nodes: (g.node ?? []).map(importNode),
    valueInfo,
  };
}

function importValueInfo(v: pb.IValueInfoProto): ValueInfo {
  return { name: v.name ?? '', type: v.type ? importType(v.type) : null };
}

function importType(t: pb.ITypeProto): ValueType | null {
  if (t.tensorType) {
    const tt = t.tensorType;
    let dtype;
    try {
      dtype = dtypeFromOnnx(tt.elemType ?? 0);
    } catch {
      return null;
    }
    const shape: Dim[] | null = tt.shape
      ? (tt.shape.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? int64Number(d.dimValue as LongLike) : null))
      : null;
    return { kind: 'tensor', dtype, shape };
  }
  if (t.sequenceType) return { kind: 'sequence', elem: t.sequenceType.elemType ? importType(t.sequenceType.elemType) : null };
  if (t.optionalType) return { kind: 'optional', elem: t.optionalType.elemType ? importType(t.optionalType.elemType) : null };
  return null;
}

export function importNode(n: pb.INodeProto): Node {
  const attrs = new Map<string, AttrValue>();
  for (const a of n.attribute ?? []) {
    const v = importAttr(a);
    if (v) attrs.set(a.name ?? '', v);
  }
  return {
    name: n.name ?? '',
    op: n.opType ?? '',
    domain: n.domain === 'ai.onnx' ? '' : n.domain ?? '',
    inputs: n.input ?? [],
    outputs: n.output ?? [],
    attrs,
  };
}

function importAttr(a: pb.IAttributeProto): AttrValue | null {
  // IR v1/2 models may leave `type` unset: infer it from the field that is present.
  const type = a.type || guessAttrType(a);
  switch (type) {
    case AT.FLOAT: return { kind: 'float', value: a.f ?? 0 };
    case AT.INT: return { kind: 'int', value: int64Number(a.i as LongLike) };
    case AT.STRING: return { kind: 'string', value: utf8.decode(a.s ?? new Uint8Array()) };
    case AT.TENSOR: return { kind: 'tensor', value: tensorFromProto(a.t ?? {}) };
    case AT.GRAPH: return { kind: 'graph', value: importGraph(a.g ?? {}) };
    case AT.FLOATS: return { kind: 'floats', value: a.floats ?? [] };
    case AT.INTS: return { kind: 'ints', value: (a.ints ?? []).map((i) => int64Number(i as LongLike)) };
    case AT.STRINGS: return { kind: 'strings', value: (a.strings ?? []).map((s) => utf8.decode(s)) };
    case AT.TENSORS: return { kind: 'tensors', value: (a.tensors ?? []).map(tensorFromProto) };
    case AT.GRAPHS: return { kind: 'graphs', value: (a.graphs ?? []).map(importGraph) };
    default: return null; // sparse tensors, type protos: not used by any supported op
  }
}

function guessAttrType(a: pb.IAttributeProto): number {
  if (a.floats?.length) return AT.FLOATS;
  if (a.ints?.length) return AT.INTS;
  if (a.strings?.length) return AT.STRINGS;
  if (a.t) return AT.TENSOR;
  if (a.g) return AT.GRAPH;
  if (a.s?.length) return AT.STRING;
  if (a.i != null && int64Number(a.i as LongLike) !== 0) return AT.INT;
  if (a.f) return AT.FLOAT;
  return AT.INT;
}
