// Attention (opset 23/24): one workgroup per (batch, query head, query row) scores the row against
// every key (past cache, then new keys; grouped-query heads share a kv head), applies softcap, the
// mask (bool or float, broadcast, padded with -inf), causality and nonpad_kv_seqlen, takes a
// numerically stable softmax by workgroup reductions and multiplies by V. present_key/value are
// plain concatenations (./attention-present). The oracle is runtime/ops/attention/attention.ts.

import type { Binding, Dispatch, KernelGenerator, LowerArgs } from '../kernel';
import { unsupported } from '../kernel';
import type { BufferDecl } from '../wgsl';
import { declareBuffers, f32Lit, grid1d, stridesOf, usesSubgroups } from '../wgsl';
import { helpersFor } from './activation-helpers';
import { attentionGeometry, headOffset, seqStride, type AttentionAttrs, type AttentionGeometry } from './attention-layout';
import { presentDispatch } from './attention-present';
import { groupMain, workgroupFor, workgroupReduce } from './reduce-template';

/** WebGPU's default maxComputeWorkgroupStorageSize (16 KiB), in f32 words. */
const SHARED_WORDS = 4096;
/** The largest score scratch (rows × keys words) when a row's scores do not fit in workgroup memory. */
const MAX_SCRATCH_WORDS = 1 << 25;

/** WGSL statements computing the row's additive bias `k_bias` for key `j` (and the row setup they need). */
function biasCode(args: LowerArgs<AttentionAttrs>, geo: AttentionGeometry): { setup: string; body: string } | string {
  const { attrs, inputs } = args;
  const mask = inputs[3];
  const nonpad = inputs[6];
  const setup: string[] = [];
  const body: string[] = ['    var k_bias = 0.0f;'];
  if (mask) {
    const md = mask.dims;
    const r = md.length;
    const mlen = md[r - 1];
    const strides = stridesOf(md);
    const full = [geo.batch, geo.q.heads, geo.q.seq];
    const coords = ['k_b', 'k_h', 'k_i'];
    const terms: string[] = [];
    for (let a = 0; a < r - 1; a++) {
      const axis = 4 - r + a;
      if (md[a] === 1) continue;
      if (md[a] !== full[axis]) return `attn_mask [${md.join(',')}] does not broadcast to the scores`;
      terms.push(`${coords[axis]} * ${strides[a]}u`);
    }
    setup.push(`  let k_mrow = ${terms.join(' + ') || '0u'};`);
    const value = mask.dtype === 'bool' ? 'select(k_ninf, 0.0f, k_mask[k_mrow + j] != 0u)' : 'k_mask[k_mrow + j]';
    // a mask shorter than the key sequence reads as -inf past its end
    body.push(mlen < geo.total ? `    if (j < ${mlen}u) { k_bias = ${value}; } else { k_bias = k_ninf; }` : `    k_bias = ${value};`);
  }
  if (nonpad) setup.push('  let k_npb = k_np[k_b];');
  if (attrs.isCausal) {
    // bottom-right alignment: query i sees keys j <= i + offset
    const offset = inputs[4] ? `${geo.past}i` : nonpad ? `k_npb - ${geo.q.seq}i` : '0i';
    setup.push(`  let k_lim = i32(k_i) + ${offset};`);
    body.push('    if (i32(j) > k_lim) { k_bias = k_ninf; }');
  }
  if (nonpad) body.push('    if (i32(j) >= k_npb) { k_bias = k_ninf; }');
  return { setup: setup.join('\n'), body: body.join('\n') };
}

/** The dispatch computing Y (and the qk_matmul_output tap), one workgroup per query row. */
function rowsDispatch(args: LowerArgs<AttentionAttrs>, geo: AttentionGeometry): Dispatch | string {
  const { attrs, inputs, node } = args;
  const { q, k, v, past: P, total: T, group } = geo;
  const D = q.size;
  const Dv = v.size;
  const rows = geo.batch * q.heads * q.seq;
  const W = workgroupFor(Math.max(T, Dv));
  const qShared = D <= 1024;
  const partials = Dv < W;
  const sharedScores = (qShared ? D : 0) + (partials ? W : 0) + 2 * W + T <= SHARED_WORDS;
  if (!sharedScores && rows * T > MAX_SCRATCH_WORDS) return `${rows}×${T} attention scores are too many for a scratch buffer`;
  const bias = biasCode(args, geo);
  if (typeof bias === 'string') return bias;
  const qkOut = !!node.outputs[3];
  const mode = attrs.qkMode;

  const buffers: BufferDecl[] = [];
  const bindings: Binding[] = [];
  const bind = (name: string, type: BufferDecl['type'], b: Binding) => {
    buffers.push({ name, type, access: b.kind === 'input' ? 'read' : 'read_write' });
    bindings.push(b);
  };
  bind('k_qin', 'f32', { kind: 'input', index: 0 });
  bind('k_kin', 'f32', { kind: 'input', index: 1 });
  bind('k_vin', 'f32', { kind: 'input', index: 2 });
  if (inputs[3]) bind('k_mask', inputs[3].dtype === 'bool' ? 'u32' : 'f32', { kind: 'input', index: 3 });
  if (P > 0) {
    bind('k_pk', 'f32', { kind: 'input', index: 4 });
    bind('k_pv', 'f32', { kind: 'input', index: 5 });
  }
  if (inputs[6]) bind('k_np', 'i32', { kind: 'input', index: 6 });
  if (!sharedScores) bind('k_p', 'f32', { kind: 'scratch', id: 0, elements: rows * T });
  bind('k_y', 'f32', { kind: 'output', index: 0 });
  if (qkOut) bind('k_qk', 'f32', { kind: 'output', index: 3 });

  const Q = (c: string) => (qShared ? `k_q[${c}]` : `k_qin[k_qb + ${c}]`);
  const S = (j: string) => (sharedScores ? `k_p[${j}]` : `k_p[g * ${T}u + ${j}]`);
  const dot = (buf: string, base: string) =>
    `let o = ${base}; for (var c = 0u; c < ${D}u; c = c + 1u) { k_dot = fma(${Q('c')}, ${buf}[o + c], k_dot); }`;
  const keyDot = P > 0
    ? `if (j < ${P}u) { ${dot('k_pk', `k_pb + j * ${D}u`)} } else { ${dot('k_kin', `k_kb + (j - ${P}u) * ${seqStride(k)}u`)} }`
    : dot('k_kin', `k_kb + j * ${seqStride(k)}u`);
  const scale = attrs.scale ?? 1 / Math.sqrt(D);
  const capped = attrs.softcap > 0 ? `\n    k_s = ${f32Lit(attrs.softcap)} * k_tanh(k_s / ${f32Lit(attrs.softcap)});` : '';
  // qk_matmul_output: modes 0 and 1 tap the scaled, softcapped scores; 2 adds the bias; 3 is softmax
  const tap = (m: boolean, value: string) => (qkOut && m ? `\n    k_qk[g * ${T}u + j] = ${value};` : '');
  const keys = (body: string) => `  for (var j = lid; j < ${T}u; j = j + ${W}u) {\n${body}\n  }`;

  // P·V: with Dv < W, W / Dv slices of the keys each sum their share of one channel, then add up
  const vRow = (buf: string, at: string) => `{ let p = ${S('j')}; if (p != 0.0f) { k_acc_y = fma(p, ${buf}[${at}], k_acc_y); } }`;
  const vLoops = (c: string, first: string, step: number) => [
    P > 0 ? `for (var j = ${first}; j < ${P}u; j = j + ${step}u) ${vRow('k_pv', `k_pvb + j * ${Dv}u + ${c}`)}` : '',
    `for (var j = ${P}u + ${first}; j < ${T}u; j = j + ${step}u) ${vRow('k_vin', `k_vb + (j - ${P}u) * ${seqStride(v)}u + ${c}`)}`,
  ].filter(Boolean).join('\n    ');
  const yLayout = { heads: q.heads, seq: q.seq, size: Dv, three: q.three };
  const yAt = (c: string) => headOffset(yLayout, 'k_b', 'k_h', 'k_i', c);
  const slices = Math.floor(W / Math.max(Dv, 1));
  const pv = partials
    ? `  let k_c = lid % ${Dv}u;
  let k_sl = lid / ${Dv}u;
  var k_acc_y = 0.0f;
  if (k_sl < ${slices}u) {
    ${vLoops('k_c', 'k_sl', slices)}
  }
  k_part[lid] = k_acc_y;
  workgroupBarrier();
  if (lid < ${Dv}u) {
    var k_t = 0.0f;
    for (var s = 0u; s < ${slices}u; s = s + 1u) { k_t = k_t + k_part[s * ${Dv}u + lid]; }
    k_y[${yAt('lid')}] = k_t * k_inv;
  }`
    : `  for (var k_c = lid; k_c < ${Dv}u; k_c = k_c + ${W}u) {
    var k_acc_y = 0.0f;
    ${vLoops('k_c', '0u', 1)}
    k_y[${yAt('k_c')}] = k_acc_y * k_inv;
  }`;

  const body = `  let k_b = g / ${q.heads * q.seq}u;
  let k_h = (g / ${q.seq}u) % ${q.heads}u;
  let k_i = g % ${q.seq}u;
  let k_hk = k_h / ${group}u;
  let k_ninf = k_inf(-1.0f);
  let k_qb = ${headOffset(q, 'k_b', 'k_h', 'k_i', '0u')};
${qShared ? `  for (var c = lid; c < ${D}u; c = c + ${W}u) { k_q[c] = k_qin[k_qb + c]; }\n  workgroupBarrier();` : ''}
  let k_kb = ${headOffset(k, 'k_b', 'k_hk', '0u', '0u')};
  let k_vb = ${headOffset(v, 'k_b', 'k_hk', '0u', '0u')};
  let k_pb = (k_b * ${k.heads}u + k_hk) * ${P * D}u;
  let k_pvb = (k_b * ${k.heads}u + k_hk) * ${P * Dv}u;
${bias.setup}
  var k_m = k_ninf;
${keys(`    var k_dot = 0.0f;
    ${keyDot}
    var k_s = k_dot * ${f32Lit(scale)};${capped}${tap(mode < 2, 'k_s')}
${bias.body}
    k_s = k_s + k_bias;${tap(mode === 2, 'k_s')}
    ${S('j')} = k_s;
    k_m = max(k_m, k_s);`)}
  let k_mx = k_wg_max(k_m, lid);
  var k_acc = 0.0f;
${keys(`    let k_s = ${S('j')};
    // a fully masked row has k_mx = -inf: its probabilities are all 0 (not NaN)
    let k_e = select(0.0f, exp(k_s - k_mx), k_s > k_ninf);
    ${S('j')} = k_e;
    k_acc = k_acc + k_e;`)}
  let k_sum = k_wg_sum(k_acc, lid);
  let k_inv = select(0.0f, 1.0f / k_sum, k_sum > 0.0f);
${qkOut && mode === 3 ? keys(`    k_qk[g * ${T}u + j] = ${S('j')} * k_inv;`) : ''}
${sharedScores ? '' : '  storageBarrier();'}
${pv}`;

  const shared = [
    qShared ? `var<workgroup> k_q: array<f32, ${Math.max(D, 1)}>;` : '',
    sharedScores ? `var<workgroup> k_p: array<f32, ${Math.max(T, 1)}>;` : '',
    partials ? `var<workgroup> k_part: array<f32, ${W}>;` : '',
    workgroupReduce('max', 'f32', W, (a, b) => `max(${a}, ${b})`),
    workgroupReduce('sum', 'f32', W, (a, b) => `${a} + ${b}`, args.subgroups),
  ].filter(Boolean).join('\n');
  const main = groupMain(rows, W, body, usesSubgroups(shared));
  const code = `${declareBuffers(buffers)}\n${shared}\n${main}`;
  return { wgsl: `${helpersFor(code)}\n${code}`, workgroups: grid1d(rows, 1), bindings, label: 'attention' };
}

export const attentionKernel: KernelGenerator<AttentionAttrs> = (args) => {
  const geo = attentionGeometry(args);
  if (typeof geo === 'string') return unsupported(geo);
  if (geo.v.size === 0) return unsupported('value heads of size 0');
  const dispatches: Dispatch[] = [];
  if (args.node.outputs[1]) dispatches.push(presentDispatch(geo, 'k'));
  if (args.node.outputs[2]) dispatches.push(presentDispatch(geo, 'v'));
  if (geo.batch * geo.q.heads * geo.q.seq > 0) {
    const rows = rowsDispatch(args, geo);
    if (typeof rows === 'string') return unsupported(rows);
    dispatches.push(rows);
  }
  return { kind: 'dispatch', dispatches };
};

export const attentionKernels: Record<string, KernelGenerator> = {
  Attention: attentionKernel as KernelGenerator,
};
