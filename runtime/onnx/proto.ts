// The ONNX protobuf schema as static decoders (onnx-proto: protobufjs static code, no eval, so it
// runs under the MV3 extension CSP). 64-bit integers are pinned to `long` so that Node and the
// bundled extension decode them the same way.

import protobuf from 'protobufjs/minimal';
import Long from 'long';
import type { onnx as pb } from 'onnx-proto';
import onnxProto from 'onnx-proto';

protobuf.util.Long = Long as unknown as typeof protobuf.util.Long;
protobuf.configure();

// onnx-proto is CommonJS that Node's ESM loader cannot see named exports in: take its root.
export const onnx = (onnxProto as unknown as { onnx: typeof pb }).onnx;
export type { pb };

export type LongLike = number | { low: number; high: number; unsigned?: boolean };

/** A protobuf int64 (number or Long) as a bigint, exactly. */
export function int64(v: LongLike | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  const big = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned ? big : BigInt.asIntN(64, big);
}

/** A protobuf int64 as a JS number, saturating at ±2^53 (shapes, axes, attribute ints). */
export function int64Number(v: LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  const b = int64(v);
  if (b > BigInt(Number.MAX_SAFE_INTEGER)) return Number.MAX_SAFE_INTEGER;
  if (b < BigInt(Number.MIN_SAFE_INTEGER)) return Number.MIN_SAFE_INTEGER;
  return Number(b);
}
