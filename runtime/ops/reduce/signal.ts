// Signal ops: the Hann/Hamming/Blackman windows, DFT (forward, inverse, one-sided and the
// one-sided inverse, i.e. irfft), STFT and MelWeightMatrix. DFTs are plain O(n²) sums with a
// precomputed twiddle table: correct and small, fine for the frame sizes models use.

import { fromNumbers, toNumbers, type Tensor } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, OpError, type OpSpec } from '../spec';
import { need, onnxDType, scalarInt, splitAt, tensorType } from './util';

// ---- windows ----

const WINDOWS: Record<string, (n: number, N: number) => number> = {
  HannWindow: (n, N) => 0.5 - 0.5 * Math.cos((2 * Math.PI * n) / N),
  HammingWindow: (n, N) => 25 / 46 - (21 / 46) * Math.cos((2 * Math.PI * n) / N),
  BlackmanWindow: (n, N) => 0.42 - 0.5 * Math.cos((2 * Math.PI * n) / N) + 0.08 * Math.cos((4 * Math.PI * n) / N),
};

interface WindowAttrs {
  readonly periodic: boolean;
  readonly outputType: number;
}

function windowSpec(op: string): OpSpec<WindowAttrs> {
  const f = WINDOWS[op];
  return defineOp<WindowAttrs>({
    op,
    attrs: (a) => ({ periodic: a.int('periodic', 1) !== 0, outputType: a.int('output_datatype', 1) }),
    infer: (_, at) => [tensorType(onnxDType(op, at.outputType), [null])],
    run: (inputs, at) => {
      const size = scalarInt(op, inputs[0], 'size');
      if (size < 0) throw new OpError(op, `size must be ≥ 0, got ${size}`);
      // a periodic window is the first `size` points of a symmetric one of size+1
      const N = at.periodic ? size : size - 1;
      const w = new Float64Array(size);
      for (let n = 0; n < size; n++) w[n] = N === 0 ? 1 : f(n, N);
      return [fromNumbers(onnxDType(op, at.outputType), [size], w)];
    },
  });
}

// ---- DFT core ----

/** cos/sin of 2πk/n for k < n. */
function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n);
  const sin = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    cos[k] = Math.cos((2 * Math.PI * k) / n);
    sin[k] = Math.sin((2 * Math.PI * k) / n);
  }
  return { cos, sin };
}

/**
 * X[k] = Σ_t x[t]·e^{∓2πikt/n} for k < bins, over complex input (re, im) of length n; the sign
 * is + for the inverse. Results go to (outRe, outIm).
 */
function dft(re: Float64Array, im: Float64Array, n: number, bins: number, inverse: boolean, outRe: Float64Array, outIm: Float64Array, tw: { cos: Float64Array; sin: Float64Array }): void {
  const s = inverse ? 1 : -1;
  for (let k = 0; k < bins; k++) {
    let sr = 0;
    let si = 0;
    for (let t = 0, p = 0; t < n; t++, p = (p + k) % n) {
      const c = tw.cos[p];
      const sn = s * tw.sin[p];
      sr += re[t] * c - im[t] * sn;
      si += re[t] * sn + im[t] * c;
    }
    outRe[k] = sr;
    outIm[k] = si;
  }
}

interface DftAttrs {
  readonly inverse: boolean;
  readonly onesided: boolean;
  /** axis attribute (opset 17–19); from 20 it is the third input, default -2 */
  readonly axis?: number;
}

/** Output length along the axis and whether the output is real (last dim 1). */
function dftOut(at: DftAttrs, n: number): { bins: number; real: boolean } {
  if (at.inverse && at.onesided) return { bins: n, real: true };
  return { bins: at.onesided ? Math.floor(n / 2) + 1 : n, real: false };
}

export const dftOp = defineOp<DftAttrs>({
  op: 'DFT',
  attrs: (a, opset) => ({
    inverse: a.int('inverse', 0) !== 0,
    onesided: a.int('onesided', 0) !== 0,
    axis: opset < 20 ? a.int('axis', 1) : undefined,
  }),
  infer: ([x]) => [x ? tensorType(x.dtype, x.shape ? x.shape.map(() => null) : null) : null],
  run: (inputs, at) => {
    const op = 'DFT';
    const x = need(op, inputs[0], 'input');
    const rank = x.dims.length;
    const comps = x.dims[rank - 1];
    if (rank < 2 || (comps !== 1 && comps !== 2)) throw new OpError(op, `input must be [..., 1] (real) or [..., 2] (complex), got [${x.dims.join(',')}]`);
    const axis = normAxis(op, at.axis ?? scalarInt(op, inputs[2], 'axis', -2), rank);
    if (axis === rank - 1) throw new OpError(op, 'axis cannot be the last (real/imaginary) dimension');
    const signal = x.dims.slice(0, -1);
    const { outer, len, inner } = splitAt(signal, axis);
    // the one-sided inverse (irfft) rebuilds n = 2·(bins-1) real samples by default
    const n = scalarInt(op, inputs[1], 'dft_length', at.inverse && at.onesided ? 2 * (len - 1) : len);
    if (n <= 0) throw new OpError(op, `dft_length must be positive, got ${n}`);
    const { bins, real } = dftOut(at, n);
    const xs = toNumbers(x);
    const outComps = real ? 1 : 2;
    const out = new Float64Array(outer * bins * inner * outComps);
    const re = new Float64Array(n);
    const im = new Float64Array(n);
    const oRe = new Float64Array(n);
    const oIm = new Float64Array(n);
    const tw = twiddles(n);
    for (let o = 0; o < outer; o++) {
      for (let i = 0; i < inner; i++) {
        re.fill(0);
        im.fill(0);
        const at0 = (t: number) => ((o * len + t) * inner + i) * comps;
        if (at.inverse && at.onesided) {
          // Hermitian extension of bins 0…n/2; like numpy's irfft the imaginary parts of
          // the DC and Nyquist bins are dropped
          for (let k = 0; k <= Math.floor(n / 2) && k < len; k++) {
            re[k] = xs[at0(k)];
            im[k] = comps === 2 && k !== 0 && 2 * k !== n ? xs[at0(k) + 1] : 0;
          }
          for (let k = Math.floor(n / 2) + 1; k < n; k++) {
            re[k] = re[n - k];
            im[k] = -im[n - k];
          }
        } else {
          for (let t = 0; t < Math.min(n, len); t++) {
            re[t] = xs[at0(t)];
            if (comps === 2) im[t] = xs[at0(t) + 1];
          }
        }
        dft(re, im, n, bins, at.inverse, oRe, oIm, tw);
        const scale = at.inverse ? 1 / n : 1;
        for (let k = 0; k < bins; k++) {
          const p = ((o * bins + k) * inner + i) * outComps;
          out[p] = oRe[k] * scale;
          if (!real) out[p + 1] = oIm[k] * scale;
        }
      }
    }
    const dims = [...signal.slice(0, axis), bins, ...signal.slice(axis + 1), outComps];
    return [fromNumbers(x.type, dims, out)];
  },
});

// ---- STFT ----

export const stftOp = defineOp<{ onesided: boolean }>({
  op: 'STFT',
  attrs: (a) => ({ onesided: a.int('onesided', 1) !== 0 }),
  infer: ([x]) => [x ? tensorType(x.dtype, [x.shape?.[0] ?? null, null, null, 2]) : null],
  run: (inputs, at) => {
    const op = 'STFT';
    const x = need(op, inputs[0], 'signal');
    const [batch, sigLen, comps] = x.dims;
    if (x.dims.length !== 3 || (comps !== 1 && comps !== 2)) throw new OpError(op, `signal must be [batch, length, 1 or 2], got [${x.dims.join(',')}]`);
    const step = scalarInt(op, inputs[1], 'frame_step');
    const window: Tensor | undefined = inputs[2];
    const frameLen = scalarInt(op, inputs[3], 'frame_length', window ? window.dims[0] : undefined);
    if (window && window.dims[0] !== frameLen) throw new OpError(op, `window length ${window.dims[0]} differs from frame_length ${frameLen}`);
    if (step <= 0 || frameLen <= 0 || frameLen > sigLen) throw new OpError(op, `frame_step ${step} and frame_length ${frameLen} do not fit a signal of ${sigLen}`);
    const frames = Math.floor((sigLen - frameLen) / step) + 1;
    const bins = at.onesided ? Math.floor(frameLen / 2) + 1 : frameLen;
    const w = window ? toNumbers(window) : new Float64Array(frameLen).fill(1);
    const xs = toNumbers(x);
    const tw = twiddles(frameLen);
    const re = new Float64Array(frameLen);
    const im = new Float64Array(frameLen);
    const oRe = new Float64Array(frameLen);
    const oIm = new Float64Array(frameLen);
    const out = new Float64Array(batch * frames * bins * 2);
    for (let b = 0; b < batch; b++) {
      for (let f = 0; f < frames; f++) {
        for (let t = 0; t < frameLen; t++) {
          const p = (b * sigLen + f * step + t) * comps;
          re[t] = xs[p] * w[t];
          im[t] = comps === 2 ? xs[p + 1] * w[t] : 0;
        }
        dft(re, im, frameLen, bins, false, oRe, oIm, tw);
        for (let k = 0; k < bins; k++) {
          const p = ((b * frames + f) * bins + k) * 2;
          out[p] = oRe[k];
          out[p + 1] = oIm[k];
        }
      }
    }
    return [fromNumbers(x.type, [batch, frames, bins, 2], out)];
  },
});

// ---- MelWeightMatrix ----

export const melWeightMatrixOp = defineOp<{ outputType: number }>({
  op: 'MelWeightMatrix',
  attrs: (a) => ({ outputType: a.int('output_datatype', 1) }),
  infer: (_, at) => [tensorType(onnxDType('MelWeightMatrix', at.outputType), [null, null])],
  run: (inputs, at) => {
    const op = 'MelWeightMatrix';
    const mels = scalarInt(op, inputs[0], 'num_mel_bins');
    const dftLen = scalarInt(op, inputs[1], 'dft_length');
    const rate = scalarInt(op, inputs[2], 'sample_rate');
    const lo = toNumbers(need(op, inputs[3], 'lower_edge_hertz'))[0];
    const hi = toNumbers(need(op, inputs[4], 'upper_edge_hertz'))[0];
    const specBins = Math.floor(dftLen / 2) + 1;
    // triangle corners: num_mel_bins + 2 points evenly spaced in mel, mapped to DFT bins
    // (the ONNX reference's formula, including its step of (high-low)/(num_mel_bins+2))
    const toMel = (hz: number) => 2595 * Math.log10(1 + hz / 700);
    const loMel = toMel(lo);
    const step = (toMel(hi) - loMel) / (mels + 2);
    const corner = Array.from({ length: mels + 2 }, (_, i) => {
      const hz = 700 * (Math.pow(10, (i * step + loMel) / 2595) - 1);
      return Math.floor(((dftLen + 1) * hz) / rate);
    });
    const out = new Float64Array(specBins * mels);
    const set = (j: number, i: number, v: number) => {
      if (j < 0 || j >= specBins) throw new OpError(op, `mel band ${i} reaches DFT bin ${j}, beyond ${specBins - 1}`);
      out[j * mels + i] = v;
    };
    for (let i = 0; i < mels; i++) {
      const [l, c, h] = [corner[i], corner[i + 1], corner[i + 2]];
      if (c === l) set(c, i, 1);
      else for (let j = l; j <= c; j++) set(j, i, (j - l) / (c - l));
      if (h > c) for (let j = c; j < h; j++) set(j, i, (h - j) / (h - c));
    }
    return [fromNumbers(onnxDType(op, at.outputType), [specBins, mels], out)];
  },
});

export const signalOps: OpSpec[] = [
  ...['HannWindow', 'HammingWindow', 'BlackmanWindow'].map(windowSpec),
  dftOp,
  stftOp,
  melWeightMatrixOp,
];
