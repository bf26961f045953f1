// The ONNX importer and TensorProto codec: real models, every dtype round trip, corrupt input.

import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { importOnnx, ModelFormatError } from '../../runtime/onnx/import';
import { decodeTensor, encodeTensor } from '../../runtime/onnx/tensor-proto';
import { dataFrom, f16ToF32, f32ToF16, tensor, type DType } from '../../runtime/tensor';
import { SHARED_DIR, SUITE_DIR } from '../conformance/suite';
import { join } from 'node:path';

describe('importOnnx', () => {
  it('reads a real model: opsets, inputs with shapes, nodes and initializers', () => {
    const m = importOnnx(readFileSync(join(SHARED_DIR, 'models/mobilenet_v2.onnx')));
    expect(m.opsets.get('')).toBe(17);
    expect(m.graph.inputs).toEqual([{ name: 'input', type: { kind: 'tensor', dtype: 'float32', shape: [1, 3, 224, 224] } }]);
    expect(m.graph.nodes.filter((n) => n.op === 'Conv').length).toBe(52);
    const w = m.graph.initializers.values().next().value;
    expect(w?.data).toBeInstanceOf(Float32Array);
  });

  it('reads attributes of every kind a node test uses', () => {
    const m = importOnnx(readFileSync(join(SUITE_DIR, 'test_conv_with_strides_padding/model.onnx')));
    const conv = m.graph.nodes[0];
    expect(conv.attrs.get('strides')).toEqual({ kind: 'ints', value: [2, 2] });
    expect(conv.attrs.get('pads')).toEqual({ kind: 'ints', value: [1, 1, 1, 1] });
  });

  it('rejects bytes that are not a model with a ModelFormatError', () => {
    expect(() => importOnnx(new Uint8Array([0xff, 0xff, 0xff, 0x01, 0x02]))).toThrow(ModelFormatError);
    expect(() => importOnnx(new TextEncoder().encode('hello world, not onnx'))).toThrow(/not an ONNX model/);
    expect(() => importOnnx(new Uint8Array())).toThrow(/no graph/);
  });
});

describe('TensorProto codec', () => {
  const cases: [DType, number[]][] = [
    ['float32', [1.5, -2, 3.25]], ['float64', [1e-300, 2, -3]], ['int8', [-128, 0, 127]], ['uint8', [0, 128, 255]],
    ['int16', [-32768, 1, 2]], ['uint16', [65535, 0, 1]], ['int32', [-5, 6, 7]], ['uint32', [4294967295, 0, 1]],
    ['int64', [-9007199254740991, 0, 42]], ['bool', [1, 0, 1]], ['float16', [0.5, -1, 65504]],
  ];
  for (const [type, values] of cases) {
    it(`round-trips ${type}`, () => {
      const t = tensor(type, [3], dataFrom(type, values));
      const back = decodeTensor(encodeTensor(t, 'x'));
      expect(back.type).toBe(type);
      expect(back.dims).toEqual([3]);
      expect(Array.from(back.data as ArrayLike<number | bigint>)).toEqual(Array.from(t.data as ArrayLike<number | bigint>));
    });
  }

  it('round-trips strings', () => {
    const back = decodeTensor(encodeTensor(tensor('string', [2], ['héllo', ''])));
    expect(back.data).toEqual(['héllo', '']);
  });

  it('reads the typed fields of a node-test input', () => {
    const t = decodeTensor(readFileSync(join(SUITE_DIR, 'test_add/test_data_set_0/input_0.pb')));
    expect(t.type).toBe('float32');
    expect(t.dims).toEqual([3, 4, 5]);
  });
});

describe('half precision', () => {
  it('converts exactly representable values both ways and rounds to nearest even', () => {
    for (const v of [0, 1, -2, 0.5, 65504, 6.103515625e-5, 5.960464477539063e-8]) expect(f16ToF32(f32ToF16(v))).toBe(v);
    expect(f16ToF32(f32ToF16(1 + 2 ** -11))).toBe(1); // halfway rounds to even
    expect(f16ToF32(f32ToF16(1e6))).toBe(Infinity);
    expect(Number.isNaN(f16ToF32(f32ToF16(NaN)))).toBe(true);
  });
});
