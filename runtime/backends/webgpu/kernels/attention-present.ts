// Attention's present_key / present_value outputs: the past cache [B, H, P, D] followed by the new
// keys or values (3-D or 4-D) along the sequence axis, one invocation per output element.

import type { Binding, Dispatch } from '../kernel';
import { declareBuffers, flatMain, grid1d, type BufferDecl } from '../wgsl';
import { headOffset, type AttentionGeometry } from './attention-layout';

/** The dispatch writing present_key ('k', output 1) or present_value ('v', output 2). */
export function presentDispatch(geo: AttentionGeometry, which: 'k' | 'v'): Dispatch {
  const l = which === 'k' ? geo.k : geo.v;
  const [cur, past, out] = which === 'k' ? [1, 4, 1] : [2, 5, 2];
  const T = geo.total;
  const n = geo.batch * l.heads * T * l.size;
  const P = geo.past;
  const buffers: BufferDecl[] = [{ name: 'k_new', type: 'f32', access: 'read' }];
  const bindings: Binding[] = [{ kind: 'input', index: cur }];
  if (P > 0) {
    buffers.push({ name: 'k_past', type: 'f32', access: 'read' });
    bindings.push({ kind: 'input', index: past });
  }
  buffers.push({ name: 'k_out', type: 'f32', access: 'read_write' });
  bindings.push({ kind: 'output', index: out });
  const fromNew = `k_new[${headOffset(l, 'k_b', 'k_h', `k_j - ${P}u`, 'k_c')}]`;
  const body = `  let k_c = idx % ${l.size}u;
  let k_j = (idx / ${l.size}u) % ${T}u;
  let k_bh = idx / ${l.size * T}u;
  let k_b = k_bh / ${l.heads}u;
  let k_h = k_bh % ${l.heads}u;
  ${P > 0 ? `if (k_j < ${P}u) { k_out[idx] = k_past[(k_bh * ${P}u + k_j) * ${l.size}u + k_c]; return; }` : ''}
  k_out[idx] = ${fromNew};`;
  return {
    wgsl: `${declareBuffers(buffers)}\n${flatMain(n, body)}`,
    workgroups: grid1d(n),
    bindings,
    label: `attention_present_${which}`,
  };
}
