// LinearAttention (opset 27): a recurrent state S [B, Hkv, dk, dv] updated token by token from
// 3-D [B, T, H*D] inputs, and read by the queries (query head h reads kv head h / (Hq/Hkv)):
//   S ← S · exp(decay_t)                          (gated rules; decay per key dim or per head)
//   S ← S + k_t ⊗ v_t                             (linear, gated)
//   S ← S + k_t ⊗ beta_t (v_t − Sᵀ k_t)           (delta, gated_delta)
//   o_t = scale · Sᵀ q_t

import { fromNumbers, toNumbers, type Tensor } from '../../tensor';
import { defineOp, OpError } from '../spec';
import { groupSize } from './sdpa';
import { need, needFloat, tensorType } from './util';

const OP = 'LinearAttention';
type Rule = 'linear' | 'gated' | 'delta' | 'gated_delta';
const RULES: readonly string[] = ['linear', 'gated', 'delta', 'gated_delta'];

interface LinearAttrs {
  readonly qHeads: number;
  readonly kvHeads: number;
  readonly rule: Rule;
  readonly scale: number | undefined;
}

/** Per-head width of a [B, T, H*w] input (w may be 1 for per-head values). */
function width(t: Tensor, heads: number, what: string): number {
  if (t.dims.length !== 3) throw new OpError(OP, `'${what}' must be 3-D [B, T, H*D], got [${t.dims.join(',')}]`);
  const last = t.dims[2];
  if (last % heads !== 0) throw new OpError(OP, `'${what}' last dim ${last} is not divisible by ${heads} heads`);
  return last / heads;
}

export const linearAttentionSpec = defineOp<LinearAttrs>({
  op: OP,
  attrs: (a) => {
    const rule = a.string('update_rule', 'gated_delta');
    if (!RULES.includes(rule)) throw new OpError(OP, `unknown update_rule '${rule}'`);
    const qHeads = a.int('q_num_heads'), kvHeads = a.int('kv_num_heads');
    if (!qHeads || !kvHeads) throw new OpError(OP, `q_num_heads and kv_num_heads are required`);
    return { qHeads, kvHeads, rule: rule as Rule, scale: a.has('scale') ? a.float('scale', 1) : undefined };
  },
  infer: (inputs, at) => {
    const q = inputs[0], v = inputs[2];
    const vw = v?.shape?.[2];
    return [
      tensorType(q, q?.shape ? [q.shape[0], q.shape[1], typeof vw === 'number' ? (vw / at.kvHeads) * at.qHeads : null] : null),
      tensorType(q, q?.shape ? [q.shape[0], at.kvHeads, null, null] : null),
    ];
  },
  run: (inputs, at) => {
    const qT = needFloat(OP, need(OP, inputs[0], 'query'), 'query');
    const kT = need(OP, inputs[1], 'key'), vT = need(OP, inputs[2], 'value');
    const past = inputs[3];
    const gated = at.rule === 'gated' || at.rule === 'gated_delta';
    const delta = at.rule === 'delta' || at.rule === 'gated_delta';
    const decayT = gated ? need(OP, inputs[4], 'decay') : undefined;
    const betaT = delta ? need(OP, inputs[5], 'beta') : undefined;
    const { qHeads: hq, kvHeads: hkv } = at;
    const group = groupSize(OP, hq, hkv);
    const [b, steps] = qT.dims;
    const dk = width(qT, hq, 'query'), dv = width(vT, hkv, 'value');
    if (width(kT, hkv, 'key') !== dk) throw new OpError(OP, `query and key head sizes differ`);
    const decayW = decayT ? width(decayT, hkv, 'decay') : 0; // dk, or 1 for one decay per head
    const betaHeads = betaT ? betaT.dims[2] : 0; // Hkv, or 1 shared by all heads
    const q = toNumbers(qT), k = toNumbers(kT), v = toNumbers(vT);
    const decay = decayT ? toNumbers(decayT) : undefined, beta = betaT ? toNumbers(betaT) : undefined;
    const scale = at.scale ?? 1 / Math.sqrt(dk);

    const sz = dk * dv;
    const state = new Float64Array(b * hkv * sz);
    if (past) {
      if (past.data.length !== state.length) throw new OpError(OP, `past_state must be [${b},${hkv},${dk},${dv}]`);
      state.set(toNumbers(past));
    }
    const out = new Float64Array(b * steps * hq * dv);
    const retrieved = new Float64Array(dv);
    for (let bi = 0; bi < b; bi++)
      for (let t = 0; t < steps; t++) {
        const bt = bi * steps + t;
        for (let h = 0; h < hkv; h++) {
          const s = (bi * hkv + h) * sz;
          const ko = (bt * hkv + h) * dk, vo = (bt * hkv + h) * dv;
          if (decay) {
            for (let i = 0; i < dk; i++) {
              const g = Math.exp(decay[(bt * hkv + h) * decayW + (decayW === 1 ? 0 : i)]);
              for (let j = 0; j < dv; j++) state[s + i * dv + j] *= g;
            }
          }
          // the value written: v, or beta·(v − Sᵀk) for the delta rules
          for (let j = 0; j < dv; j++) retrieved[j] = v[vo + j];
          if (beta) {
            const bb = beta[bt * betaHeads + (betaHeads === 1 ? 0 : h)];
            for (let j = 0; j < dv; j++) {
              let r = 0;
              for (let i = 0; i < dk; i++) r += state[s + i * dv + j] * k[ko + i];
              retrieved[j] = bb * (v[vo + j] - r);
            }
          }
          for (let i = 0; i < dk; i++) {
            const ki = k[ko + i];
            for (let j = 0; j < dv; j++) state[s + i * dv + j] += ki * retrieved[j];
          }
        }
        for (let h = 0; h < hq; h++) {
          const s = (bi * hkv + Math.floor(h / group)) * sz;
          const qo = (bt * hq + h) * dk, oo = (bt * hq + h) * dv;
          for (let i = 0; i < dk; i++) {
            const qi = q[qo + i] * scale;
            for (let j = 0; j < dv; j++) out[oo + j] += qi * state[s + i * dv + j];
          }
        }
      }
    return [fromNumbers(qT.type, [b, steps, hq * dv], out), fromNumbers(past?.type ?? qT.type, [b, hkv, dk, dv], state)];
  },
});
