// ai.onnx.preview.training optimizers: Adagrad, Adam and Momentum (standard and Nesterov). Each
// takes a learning rate R, a step count T, then groups of tensors (X..., G..., state...) and
// returns the updated X... followed by the updated state groups.

import type { TensorType } from '../../ir/graph';
import { fromNumbers, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError, type OpSpec } from '../spec';

const DOMAIN = 'ai.onnx.preview.training';

/** Updates one parameter: returns the new X then the new state arrays (all X-shaped). */
type Update<A> = (r: number, t: number, x: Float64Array, g: Float64Array, state: Float64Array[], at: A) => Float64Array[];

function optimizer<A>(op: string, stateCount: number, attrs: OpSpec<A>['attrs'], update: Update<A>): OpSpec<A> {
  const groups = 2 + stateCount; // X, G, then the states
  return defineOp<A>({
    op,
    domain: DOMAIN,
    attrs,
    infer: (inputs) => {
      const n = (inputs.length - 2) / groups;
      const xs = inputs.slice(2, 2 + n);
      const out: (TensorType | null)[] = [];
      for (let k = 0; k < groups - 1; k++) out.push(...xs);
      return out;
    },
    run: (inputs, at) => {
      const [rT, tT] = inputs;
      if (!rT || !tT) throw new OpError(op, `inputs 'R' and 'T' are required`);
      const n = (inputs.length - 2) / groups;
      if (!Number.isInteger(n) || n < 1) throw new OpError(op, `expected 2 + ${groups}·n inputs, got ${inputs.length}`);
      const r = toNumbers(rT)[0], t = toNumbers(tT)[0];
      const get = (g: number, i: number): Tensor => {
        const v = inputs[2 + g * n + i];
        if (!v) throw new OpError(op, `input ${2 + g * n + i} is required`);
        return v;
      };
      // outputs are grouped: all new X, then all of the first state, ...
      const outs: Tensor[][] = Array.from({ length: groups - 1 }, () => []);
      for (let i = 0; i < n; i++) {
        const x = get(0, i);
        const state = Array.from({ length: stateCount }, (_, s) => toNumbers(get(2 + s, i)));
        const res = update(r, t, toNumbers(x), toNumbers(get(1, i)), state, at);
        res.forEach((v, k) => outs[k].push(fromNumbers(x.type, x.dims, v)));
      }
      return outs.flat();
    },
  });
}

const map = (n: number, f: (i: number) => number): Float64Array => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = f(i);
  return out;
};

const adagrad = optimizer<{ decay: number; eps: number; norm: number }>(
  'Adagrad', 1,
  (a) => ({ decay: a.float('decay_factor', 0), eps: a.float('epsilon', 0), norm: a.float('norm_coefficient', 0) }),
  (r0, t, x, g, [h], at) => {
    const r = r0 / (1 + t * at.decay);
    const gr = map(x.length, (i) => at.norm * x[i] + g[i]);
    const hNew = map(x.length, (i) => h[i] + gr[i] * gr[i]);
    return [map(x.length, (i) => x[i] - (r * gr[i]) / (Math.sqrt(hNew[i]) + at.eps)), hNew];
  },
);

const adam = optimizer<{ alpha: number; beta: number; eps: number; norm: number; normPost: number }>(
  'Adam', 2,
  (a) => ({
    alpha: a.float('alpha', 0.9), beta: a.float('beta', 0.999), eps: a.float('epsilon', 1e-6),
    norm: a.float('norm_coefficient', 0), normPost: a.float('norm_coefficient_post', 0),
  }),
  (r, t, x, g, [v, h], at) => {
    const gr = map(x.length, (i) => at.norm * x[i] + g[i]);
    const vNew = map(x.length, (i) => at.alpha * v[i] + (1 - at.alpha) * gr[i]);
    const hNew = map(x.length, (i) => at.beta * h[i] + (1 - at.beta) * gr[i] * gr[i]);
    // bias correction only once a step has been taken
    const rAdj = t > 0 ? (r * Math.sqrt(1 - at.beta ** t)) / (1 - at.alpha ** t) : r;
    const xNew = map(x.length, (i) => (1 - at.normPost) * (x[i] - rAdj * (vNew[i] / (Math.sqrt(hNew[i]) + at.eps))));
    return [xNew, vNew, hNew];
  },
);

const momentum = optimizer<{ alpha: number; beta: number; nesterov: boolean; norm: number }>(
  'Momentum', 1,
  (a) => {
    const mode = a.string('mode', 'standard');
    if (mode !== 'standard' && mode !== 'nesterov') throw new OpError('Momentum', `unknown mode '${mode}'`);
    return { alpha: a.float('alpha', 0), beta: a.float('beta', 0), nesterov: mode === 'nesterov', norm: a.float('norm_coefficient', 0) };
  },
  (r, t, x, g, [v], at) => {
    const beta = t > 0 ? at.beta : 1;
    const gr = map(x.length, (i) => at.norm * x[i] + g[i]);
    const vNew = map(x.length, (i) => at.alpha * v[i] + beta * gr[i]);
    const xNew = map(x.length, (i) => x[i] - r * (at.nesterov ? gr[i] + at.alpha * vNew[i] : vNew[i]));
    return [xNew, vNew];
  },
);

export const optimizerOps: OpSpec[] = [adagrad, adam, momentum];
