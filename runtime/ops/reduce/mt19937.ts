// The Mersenne Twister (MT19937) as numpy's legacy RandomState uses it: seeded with
// init_genrand(seed), doubles built from two 32-bit draws (53 bits). Dropout uses it for a
// `seed` attribute so seeded masks match the ONNX reference (np.random.seed + uniform).

export function mt19937(seed: number): () => number {
  const mt = new Uint32Array(624);
  let idx = 624;
  mt[0] = seed >>> 0;
  for (let i = 1; i < 624; i++) {
    const p = mt[i - 1] ^ (mt[i - 1] >>> 30);
    // 1812433253 * p + i in 32-bit arithmetic
    mt[i] = (Math.imul(1812433253, p) + i) >>> 0;
  }
  const twist = (): void => {
    for (let i = 0; i < 624; i++) {
      const y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7fffffff);
      mt[i] = mt[(i + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
    }
    idx = 0;
  };
  const next32 = (): number => {
    if (idx >= 624) twist();
    let y = mt[idx++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  };
  return () => {
    const a = next32() >>> 5;
    const b = next32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  };
}
