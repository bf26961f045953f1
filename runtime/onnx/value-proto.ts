// ONNX test-data values beyond TensorProto: SequenceProto and OptionalProto (onnx-data.proto),
// decoded with protobufjs's Reader since the static schema package predates them.

import protobuf from 'protobufjs/minimal';
import type { Tensor, Value } from '../tensor';
import { decodeTensor } from './tensor-proto';

const ELEM_TENSOR = 1;
const ELEM_SEQUENCE = 3;
const ELEM_OPTIONAL = 5;

/** Decodes a SequenceProto of tensors. */
export function decodeSequence(bytes: Uint8Array): Value {
  const r = protobuf.Reader.create(bytes);
  const items: Tensor[] = [];
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 3) items.push(decodeTensor(r.bytes()));
    else if (field === 5 || field === 6 || field === 4) throw new Error('sequences of sequences, maps or sparse tensors are not supported');
    else r.skipType(tag & 7);
  }
  return { type: 'sequence', items };
}

/** Decodes an OptionalProto: its tensor or sequence, or null when empty. */
export function decodeOptional(bytes: Uint8Array): Value {
  const r = protobuf.Reader.create(bytes);
  let elemType = 0;
  let value: Value = null;
  while (r.pos < r.len) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 2) elemType = r.int32();
    else if (field === 3) value = decodeTensor(r.bytes());
    else if (field === 5) value = decodeSequence(r.bytes());
    else r.skipType(tag & 7);
  }
  if (elemType !== 0 && elemType !== ELEM_TENSOR && elemType !== ELEM_SEQUENCE && elemType !== ELEM_OPTIONAL) {
    throw new Error(`optional of element type ${elemType} is not supported`);
  }
  return value;
}
