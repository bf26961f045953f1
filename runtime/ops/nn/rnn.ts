// RNN, GRU and LSTM: one driver (directions, layout, sequence_lens, initial states, outputs) and
// a per-op cell step. Input projections for all time steps are one GEMM up front.

import { defineOp, NotSupportedOpError, OpError, type Attrs } from '../spec';
import type { Tensor } from '../../tensor';
import { gemmAcc } from './gemm';
import { f64, needFloat, out } from './util';

type Kind = 'RNN' | 'GRU' | 'LSTM';
type Act = (x: number) => number;

const GATES: Record<Kind, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const DEFAULT_ACTS: Record<Kind, string[]> = { RNN: ['Tanh'], GRU: ['Sigmoid', 'Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'] };

function activation(op: string, name: string, alpha: number | undefined, beta: number | undefined): Act {
  switch (name.toLowerCase()) {
    case 'tanh': return Math.tanh;
    case 'sigmoid': return (x) => 1 / (1 + Math.exp(-x));
    case 'relu': return (x) => (x > 0 ? x : 0);
    case 'affine': { const a = alpha ?? 1, b = beta ?? 0; return (x) => a * x + b; }
    case 'leakyrelu': { const a = alpha ?? 0.01; return (x) => (x >= 0 ? x : a * x); }
    case 'thresholdedrelu': { const a = alpha ?? 1; return (x) => (x > a ? x : 0); }
    case 'scaledtanh': { const a = alpha ?? 1, b = beta ?? 1; return (x) => a * Math.tanh(b * x); }
    case 'hardsigmoid': { const a = alpha ?? 0.2, b = beta ?? 0.5; return (x) => Math.max(0, Math.min(1, a * x + b)); }
    case 'elu': { const a = alpha ?? 1; return (x) => (x >= 0 ? x : a * (Math.exp(x) - 1)); }
    case 'softsign': return (x) => x / (1 + Math.abs(x));
    case 'softplus': return (x) => Math.log(1 + Math.exp(x));
    default: throw new NotSupportedOpError(op, `activation '${name}' is not supported`);
  }
}

interface RnnAttrs {
  readonly direction: 'forward' | 'reverse' | 'bidirectional';
  readonly hidden?: number;
  readonly layout: number;
  readonly clip?: number;
  readonly linearBeforeReset: boolean;
  readonly inputForget: boolean;
  /** activations per direction: [f] for RNN, [f, g] for GRU, [f, g, h] for LSTM */
  readonly acts: Act[][];
}

function readRnnAttrs(kind: Kind, a: Attrs): RnnAttrs {
  const direction = a.string('direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') throw new OpError(kind, `unknown direction '${direction}'`);
  const dirs = direction === 'bidirectional' ? 2 : 1;
  const per = DEFAULT_ACTS[kind].length;
  const names = a.strings('activations') ?? [];
  const alphas = a.floats('activation_alpha') ?? [];
  const betas = a.floats('activation_beta') ?? [];
  const acts: Act[][] = [];
  for (let d = 0; d < dirs; d++) {
    const list: Act[] = [];
    for (let j = 0; j < per; j++) {
      const k = d * per + j;
      // a single direction's list is reused for the reverse direction when only one is given
      const name = names[k] ?? names[j] ?? DEFAULT_ACTS[kind][j];
      list.push(activation(kind, name, alphas[k] ?? (names[k] ? undefined : alphas[j]), betas[k] ?? (names[k] ? undefined : betas[j])));
    }
    acts.push(list);
  }
  return {
    direction,
    hidden: a.int('hidden_size'),
    layout: a.int('layout', 0),
    clip: a.float('clip'),
    linearBeforeReset: a.int('linear_before_reset', 0) !== 0,
    inputForget: a.int('input_forget', 0) !== 0,
    acts,
  };
}

/** [A, B, C] row-major → [B, A, C] (swaps the two leading axes: the layout=1 conversions). */
function swap01(v: Float64Array, A: number, B: number, C: number): Float64Array {
  const r = new Float64Array(v.length);
  for (let a = 0; a < A; a++) for (let b = 0; b < B; b++) r.set(v.subarray((a * B + b) * C, (a * B + b + 1) * C), (b * A + a) * C);
  return r;
}

function runRecurrent(kind: Kind, inputs: readonly (Tensor | undefined)[], at: RnnAttrs): Tensor[] {
  const [xT, wT, rT, bT, lenT, h0T] = inputs;
  const c0T = kind === 'LSTM' ? inputs[6] : undefined;
  const pT = kind === 'LSTM' ? inputs[7] : undefined;
  const x = needFloat(kind, xT, 'X');
  const w = needFloat(kind, wT, 'W');
  const rw = needFloat(kind, rT, 'R');
  if (x.dims.length !== 3) throw new OpError(kind, `X must be 3-D, got [${x.dims.join(',')}]`);
  const G = GATES[kind];
  const dirs = at.direction === 'bidirectional' ? 2 : 1;
  const H = at.hidden ?? rw.dims[2];
  const [S, Bt, I] = at.layout === 0 ? x.dims : [x.dims[1], x.dims[0], x.dims[2]];
  if (w.dims[0] !== dirs || w.dims[1] !== G * H || w.dims[2] !== I) throw new OpError(kind, `W must be [${dirs}, ${G * H}, ${I}], got [${w.dims.join(',')}]`);
  const xv = at.layout === 0 ? f64(x) : swap01(f64(x), Bt, S, I);
  const wv = f64(w);
  const rv = f64(rw);
  const bv = bT ? f64(bT) : undefined;
  const lens = lenT ? f64(lenT) : undefined;
  const stateIn = (t: Tensor | undefined) => (t ? (at.layout === 0 ? f64(t) : swap01(f64(t), Bt, dirs, H)) : undefined);
  const h0 = stateIn(h0T);
  const c0 = stateIn(c0T);
  const pv = pT ? f64(pT) : undefined;
  const clip = at.clip;
  const cl = clip === undefined ? (v: number) => v : (v: number) => (v < -clip ? -clip : v > clip ? clip : v);

  const Y = new Float64Array(S * dirs * Bt * H);
  const Yh = new Float64Array(dirs * Bt * H);
  const Yc = new Float64Array(dirs * Bt * H);
  const GH = G * H;
  for (let d = 0; d < dirs; d++) {
    const reverse = at.direction === 'reverse' || d === 1;
    const [f, g, hAct] = at.acts[d];
    // input projections for every step: XW[s*Bt + b, :] = X[s, b, :] · W[d]^T + Wb
    const xw = new Float64Array(S * Bt * GH);
    if (bv) for (let i = 0; i < S * Bt; i++) for (let j = 0; j < GH; j++) xw[i * GH + j] = bv[d * 2 * GH + j];
    gemmAcc(xv, 0, wv, d * GH * I, xw, 0, S * Bt, I, GH, true);
    const rb = bv ? bv.subarray(d * 2 * GH + GH, (d + 1) * 2 * GH) : new Float64Array(GH);
    const h = h0 ? h0.slice(d * Bt * H, (d + 1) * Bt * H) : new Float64Array(Bt * H);
    const c = c0 ? c0.slice(d * Bt * H, (d + 1) * Bt * H) : new Float64Array(Bt * H);
    const hr = new Float64Array(Bt * GH); // H_{t-1} · R^T (+ Rb)
    const rOff = d * GH * H;
    const zg = new Float64Array(H); // GRU update and reset gates of one batch row
    const rg = new Float64Array(H);
    for (let step = 0; step < S; step++) {
      const s = reverse ? S - 1 - step : step;
      for (let b = 0; b < Bt; b++) hr.set(rb, b * GH);
      gemmAcc(h, 0, rv, rOff, hr, 0, Bt, H, GH, true);
      for (let b = 0; b < Bt; b++) {
        const L = lens ? lens[b] : S;
        if (s >= L) continue; // past this sequence's end: state is kept, output stays 0
        const xo = (s * Bt + b) * GH;
        const ho = b * GH;
        const yo = ((s * dirs + d) * Bt + b) * H;
        if (kind === 'GRU') {
          for (let j = 0; j < H; j++) {
            zg[j] = f(cl(xw[xo + j] + hr[ho + j]));
            rg[j] = f(cl(xw[xo + H + j] + hr[ho + H + j]));
          }
        }
        for (let j = 0; j < H; j++) {
          const hb = b * H + j;
          let hn: number;
          if (kind === 'RNN') {
            hn = f(cl(xw[xo + j] + hr[ho + j]));
          } else if (kind === 'GRU') {
            const z = zg[j];
            // linear_before_reset: r ⊙ (H_{t-1}·Rh^T + Rbh); otherwise (r ⊙ H_{t-1})·Rh^T + Rbh
            let pre = xw[xo + 2 * H + j];
            if (at.linearBeforeReset) pre += rg[j] * hr[ho + 2 * H + j];
            else {
              pre += rb[2 * H + j];
              const rRow = rOff + (2 * H + j) * H;
              for (let k = 0; k < H; k++) pre += rg[k] * h[b * H + k] * rv[rRow + k];
            }
            hn = (1 - z) * g(cl(pre)) + z * h[hb];
          } else {
            const cPrev = c[hb];
            const pi = pv ? pv[d * 3 * H + j] : 0;
            const po = pv ? pv[d * 3 * H + H + j] : 0;
            const pf = pv ? pv[d * 3 * H + 2 * H + j] : 0;
            const i = f(cl(xw[xo + j] + hr[ho + j] + pi * cPrev));
            const fg = at.inputForget ? 1 - i : f(cl(xw[xo + 2 * H + j] + hr[ho + 2 * H + j] + pf * cPrev));
            const cc = g(cl(xw[xo + 3 * H + j] + hr[ho + 3 * H + j]));
            const cNew = fg * cPrev + i * cc;
            const o = f(cl(xw[xo + H + j] + hr[ho + H + j] + po * cNew));
            Yc[(d * Bt + b) * H + j] = cNew;
            hn = o * hAct(cNew);
          }
          Y[yo + j] = hn;
          Yh[(d * Bt + b) * H + j] = hn;
        }
      }
      // commit the new states after the whole step (GRU reads all of H_{t-1} above)
      for (let b = 0; b < Bt; b++) {
        const L = lens ? lens[b] : S;
        if (s >= L) continue;
        for (let j = 0; j < H; j++) {
          h[b * H + j] = Yh[(d * Bt + b) * H + j];
          if (kind === 'LSTM') c[b * H + j] = Yc[(d * Bt + b) * H + j];
        }
      }
    }
    // sequences that never ran keep their initial state in Y_h / Y_c
    for (let b = 0; b < Bt; b++) {
      if (lens && lens[b] === 0) {
        for (let j = 0; j < H; j++) {
          Yh[(d * Bt + b) * H + j] = h[b * H + j];
          Yc[(d * Bt + b) * H + j] = c[b * H + j];
        }
      }
    }
  }
  const t = x.type;
  const res: Tensor[] = at.layout === 0
    ? [out(t, [S, dirs, Bt, H], Y), out(t, [dirs, Bt, H], Yh)]
    : [out(t, [Bt, S, dirs, H], transposeY(Y, S, dirs, Bt, H)), out(t, [Bt, dirs, H], swap01(Yh, dirs, Bt, H))];
  if (kind === 'LSTM') res.push(at.layout === 0 ? out(t, [dirs, Bt, H], Yc) : out(t, [Bt, dirs, H], swap01(Yc, dirs, Bt, H)));
  return res;
}

/** Y [S, dirs, B, H] → [B, S, dirs, H] for layout 1. */
function transposeY(Y: Float64Array, S: number, D: number, B: number, H: number): Float64Array {
  const r = new Float64Array(Y.length);
  for (let s = 0; s < S; s++)
    for (let d = 0; d < D; d++)
      for (let b = 0; b < B; b++) r.set(Y.subarray(((s * D + d) * B + b) * H, ((s * D + d) * B + b + 1) * H), ((b * S + s) * D + d) * H);
  return r;
}

function makeRecurrent(kind: Kind) {
  return defineOp<RnnAttrs>({
    op: kind,
    attrs: (a) => readRnnAttrs(kind, a),
    infer([x, , r], at) {
      if (!x) return kind === 'LSTM' ? [null, null, null] : [null, null];
      const dirs = at.direction === 'bidirectional' ? 2 : 1;
      const H = at.hidden ?? r?.shape?.[2] ?? null;
      const xs = x.shape;
      const [S, B] = xs ? (at.layout === 0 ? [xs[0], xs[1]] : [xs[1], xs[0]]) : [null, null];
      const y = { kind: 'tensor' as const, dtype: x.dtype, shape: at.layout === 0 ? [S, dirs, B, H] : [B, S, dirs, H] };
      const st = { kind: 'tensor' as const, dtype: x.dtype, shape: at.layout === 0 ? [dirs, B, H] : [B, dirs, H] };
      return kind === 'LSTM' ? [y, st, st] : [y, st];
    },
    run: (inputs, at) => runRecurrent(kind, inputs, at),
  });
}

export const rnn = makeRecurrent('RNN');
export const gru = makeRecurrent('GRU');
export const lstm = makeRecurrent('LSTM');
