// packToBlob / unpackFromBlob: typed arrays anywhere in objects, arrays and Maps come back equal,
// as aligned views into one buffer, with the skeleton holding no array bytes.

import { describe, expect, it } from 'vitest';
import { packToBlob, unpackFromBlob } from './blob-pack';

describe('blob packing', () => {
  it('round-trips typed arrays of every width inside objects, arrays and Maps', async () => {
    const value = {
      name: 'plan',
      steps: [{ consts: [new Uint8Array([1, 2, 3]), new Float64Array([Math.PI, -0])] }, { consts: [] }],
      initializers: new Map<string, unknown>([['w', { type: 'float32', dims: [2], data: new Float32Array([0.5, NaN]) }], ['i', new BigInt64Array([-(2n ** 62n)])]]),
      uniforms: new Uint32Array([7, 8, 9]),
      nothing: null,
    };
    const packed = packToBlob(value);
    expect(JSON.stringify(packed.skeleton, (_k, v) => (v instanceof Map ? [...v] : v))).not.toMatch(/3\.14/);
    expect(packed.data.size).toBeGreaterThanOrEqual(3 + 16 + 8 + 8 + 12);
    const back = unpackFromBlob(packed.skeleton, await packed.data.arrayBuffer()) as typeof value;
    expect(back).toEqual(value);
    const f64 = back.steps[0].consts[1] as Float64Array;
    expect(f64.byteOffset % 8).toBe(0);
    expect(Object.is(f64[1], -0)).toBe(true);
    expect(f64.buffer).toBe((back.uniforms as Uint32Array).buffer); // one buffer for all
  });

  it('refuses a stored array type it does not know', () => {
    expect(() => unpackFromBlob({ __kilnBlobView: { type: 'Evil', offset: 0, length: 1 } }, new ArrayBuffer(8))).toThrow(/unknown array type 'Evil'/);
  });
});
