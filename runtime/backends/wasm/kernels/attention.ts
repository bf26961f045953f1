// Attention (opset 23/24) on float32 (halves through promotion): past and new keys and values
// are concatenated into [B, Hkv, T, D] (the present outputs when asked for, else scratch), then
// one kernel call computes every query row, reading Q, Y and the mask through strides.

import type { AttentionAttrs } from '../../../ops/attention/attention';
import { stridesOf } from '../../../tensor';
import { Calls, input, output, unsupported, type Addr, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';
import type { ValueDesc } from '../layout';
import { copyStrided } from './copy';

/** [B, H, S, Dh] and the strides of (b, h, s, d) for a 3-D [B, S, H·Dh] or 4-D [B, H, S, Dh] tensor. */
function heads(d: ValueDesc, h: number | undefined): { dims: number[]; strides: number[] } | undefined {
  if (d.dims.length === 4) return { dims: [...d.dims], strides: stridesOf(d.dims) };
  if (d.dims.length !== 3 || !h || d.dims[2] % h !== 0) return undefined;
  const [B, S, hidden] = d.dims;
  const dh = hidden / h;
  return { dims: [B, h, S, dh], strides: [S * hidden, dh, hidden, 1] };
}

function lowerAttention({ node, attrs, inputs, outputs }: LowerArgs<AttentionAttrs>): Lowering {
  const [qd, kd, vd, maskd, pastK, pastV, nonpad] = inputs;
  if (!qd || !kd || !vd || qd.dtype !== 'float32' || kd.dtype !== 'float32' || vd.dtype !== 'float32') return unsupported('no kernel for these dtypes');
  if ((maskd && maskd.dtype !== 'float32' && maskd.dtype !== 'bool') || (nonpad && nonpad.dtype !== 'int64')) return unsupported('no kernel for this mask');
  const q = heads(qd, attrs.qHeads), k = heads(kd, attrs.kvHeads), v = heads(vd, attrs.kvHeads);
  if (!q || !k || !v) return unsupported('3-D inputs need q_num_heads and kv_num_heads');
  const [B, Hq, Sq, D] = q.dims;
  const [, Hkv, S, Dk] = k.dims;
  const Dv = v.dims[3];
  const P = pastK ? pastK.dims[2] : 0;
  const T = P + S;
  if (Dk !== D || Hq % Hkv !== 0 || (pastK && !pastV)) return unsupported('Q, K and V do not match');
  const c = new Calls();
  // keys and values, past then new, contiguous [B, Hkv, T, ·]
  const cache = (which: 1 | 2, t: { dims: number[]; strides: number[] }, past: ValueDesc | undefined, dh: number): Addr => {
    const dst = node.outputs[which] ? output(which) : c.needScratch(B * Hkv * T * dh * 4);
    const full = stridesOf([B, Hkv, T, dh]);
    if (past && P > 0) copyStrided(c, 'float32', input(which + 3), dst, [B, Hkv, P, dh], stridesOf(past.dims), full);
    copyStrided(c, 'float32', input(which), { ...dst, offset: (dst.offset ?? 0) + P * dh * 4 }, [B, Hkv, S, dh], t.strides, full);
    return dst;
  };
  const kc = cache(1, k, pastK, D), vc = cache(2, v, pastV, Dv);
  // the mask, right-aligned against [B, Hq, Sq, its last dim]
  let maskStrides = [0, 0, 0, 0], mlen = T;
  if (maskd) {
    const md = maskd.dims;
    mlen = md[md.length - 1];
    if (mlen > T || md.length < 2) return unsupported('the mask does not fit the keys');
    const ms = stridesOf(md);
    const target = [B, Hq, Sq, mlen];
    maskStrides = target.map((t, a) => {
      const i = a - (4 - md.length);
      return i < 0 || (md[i] === 1 && t !== 1) ? 0 : ms[i];
    });
  }
  const y = heads({ ...qd, dims: outputs[0].dims }, attrs.qHeads)!;
  const row = c.needScratch(T * 4), qrow = c.needScratch(D * 4);
  if (B * Hq * Sq * Math.max(Dv, 1) === 0) return c.done();
  c.call('attention_f32', input(0), c.ints(q.strides), kc, vc, output(0), c.ints(y.strides), B, Hq, Hkv, Sq, T, D, Dv,
    attrs.scale ?? 1 / Math.sqrt(D), attrs.softcap,
    maskd ? input(3) : 0, maskd?.dtype === 'bool' ? 1 : 0, c.ints(maskStrides), mlen, attrs.isCausal ? 1 : 0, pastK ? P : -1,
    nonpad ? input(6) : 0, node.outputs[3] ? output(3) : 0, attrs.qkMode, row, qrow);
  return c.done();
}

export const attentionKernels: Record<string, WasmKernel> = {
  Attention: { lower: lowerAttention as WasmKernel['lower'] },
};

