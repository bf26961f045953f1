// Rearranging and repeating kernels over the index-map template: Transpose, Expand, Tile,
// DepthToSpace, SpaceToDepth, Trilu and ReverseSequence. Each output element's source coordinate
// per input axis is an expression over the output coordinates k_c0….

import type { KernelGenerator, LowerArgs, Lowering } from '../kernel';
import { unsupported } from '../kernel';
import { constInts, flatIndex, indexMap, input, refuseFusion, scalarFor } from './movement-index';

const c = (a: number): string => `k_c${a}`;

/** out[idx] = x[coords], x bound as k_x; checks the dtype and fusion first. */
function copyFrom(args: LowerArgs, label: string, srcCoords: (x: readonly number[]) => string[] | Lowering, setup: string[] = []): Lowering {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const x = args.inputs[0];
  const s = scalarFor(x);
  if (!x || !s) return unsupported(`${args.node.op} has no GPU kernel for ${x?.dtype ?? 'a missing input'}`);
  const coords = srcCoords(x.dims);
  if (!Array.isArray(coords)) return coords as Lowering;
  return indexMap({
    label, out: { scalar: s, dims: args.outputs[0].dims }, reads: [input('k_x', s, 0)],
    setup, from: 'k_x', source: flatIndex(coords, x.dims),
  });
}

const transpose: KernelGenerator<{ perm?: readonly number[] }> = (args) => copyFrom(args, 'transpose', (dims) => {
  const rank = dims.length;
  const perm = (args.attrs.perm ?? Array.from({ length: rank }, (_, i) => rank - 1 - i)).map((a) => (a < 0 ? a + rank : a));
  // output axis k reads input axis perm[k]: input axis a's coordinate is output coordinate perm⁻¹[a]
  const inv = new Array<number>(rank);
  perm.forEach((a, k) => (inv[a] = k));
  return dims.map((_, a) => c(inv[a]));
});

/** numpy broadcasting: input axes right-aligned, size-1 axes read coordinate 0. */
const expand: KernelGenerator = (args) => copyFrom(args, 'expand', (dims) => {
  const off = args.outputs[0].dims.length - dims.length;
  return dims.map((d, a) => (d === 1 ? '0i' : c(a + off)));
});

const tile: KernelGenerator = (args) => copyFrom(args, 'tile', (dims) => dims.map((d, a) => (d === 1 ? '0i' : `${c(a)} % ${d}i`)));

interface DepthAttrs {
  readonly blocksize: number;
  readonly crd: boolean;
}

const depthToSpace: KernelGenerator<DepthAttrs> = (args) => copyFrom(args, 'depth2space', (dims) => {
  const b = args.attrs.blocksize;
  const co = dims[1] / (b * b);
  // output [n, c, oh, ow]: h = oh / b, bh = oh % b (likewise w); DCR reads channel (bh*b + bw)*Co + c
  const ch = args.attrs.crd ? `k_c1 * ${b * b}i + k_bh * ${b}i + k_bw` : `(k_bh * ${b}i + k_bw) * ${co}i + k_c1`;
  return ['k_c0', ch, `k_c2 / ${b}i`, `k_c3 / ${b}i`];
}, [`  let k_bh = k_c2 % ${args.attrs.blocksize}i;`, `  let k_bw = k_c3 % ${args.attrs.blocksize}i;`]);

const spaceToDepth: KernelGenerator<DepthAttrs> = (args) => copyFrom(args, 'space2depth', (dims) => {
  const b = args.attrs.blocksize;
  const C = dims[1];
  // output channel oc = (bh*b + bw)*C + c reads [n, c, oh*b + bh, ow*b + bw]
  return ['k_c0', `k_c1 % ${C}i`, `k_c2 * ${b}i + (k_c1 / ${C}i) / ${b}i`, `k_c3 * ${b}i + (k_c1 / ${C}i) % ${b}i`];
});

/** Trilu: keep the upper (j - i >= k) or lower (j - i <= k) triangle of the last two axes, zero the rest. */
const trilu: KernelGenerator<{ upper: boolean }> = (args) => {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const x = args.inputs[0];
  const s = scalarFor(x);
  if (!x || !s || x.dims.length < 2) return unsupported(`Trilu has no GPU kernel for ${x?.dtype ?? 'a missing input'}`);
  const r = x.dims.length;
  const reads = [input('k_x', s, 0)];
  let k = '0i';
  const kt = args.constants[1];
  const kConst = constInts(kt);
  if (kConst) k = `${Math.min(Math.max(kConst[0], -2147483647), 2147483647)}i`;
  else if (args.inputs[1]) {
    if (scalarFor(args.inputs[1]) !== 'i32') return unsupported('Trilu k must be an integer');
    reads.push(input('k_k', 'i32', 1));
    k = 'k_k[0]';
  }
  const diff = `${c(r - 1)} - ${c(r - 2)}`;
  return indexMap({
    label: args.attrs.upper ? 'triu' : 'tril', out: { scalar: s, dims: x.dims }, reads,
    from: 'k_x', source: 'i32(idx)', valid: args.attrs.upper ? `${diff} >= ${k}` : `${diff} <= ${k}`,
  });
};

/** ReverseSequence: batch and time are axes 0 and 1; the first lens[b] steps of each batch reverse. */
const reverseSequence: KernelGenerator<{ batchAxis: number; timeAxis: number }> = (args) => {
  const refused = refuseFusion(args);
  if (refused) return refused;
  const x = args.inputs[0];
  const s = scalarFor(x);
  if (!x || !s || scalarFor(args.inputs[1]) !== 'i32') return unsupported(`ReverseSequence has no GPU kernel for ${x?.dtype}`);
  const rank = x.dims.length;
  const b = args.attrs.batchAxis < 0 ? args.attrs.batchAxis + rank : args.attrs.batchAxis;
  const t = args.attrs.timeAxis < 0 ? args.attrs.timeAxis + rank : args.attrs.timeAxis;
  if (rank < 2 || b === t || b > 1 || t > 1) return unsupported('batch_axis and time_axis must be 0 and 1');
  const coords = x.dims.map((_, a) => (a === t ? 'k_src_t' : c(a)));
  return indexMap({
    label: 'reverseseq', out: { scalar: s, dims: x.dims }, reads: [input('k_x', s, 0), input('k_lens', 'i32', 1)],
    setup: [`  let k_len = k_lens[u32(${c(b)})];`, `  let k_src_t = select(${c(t)}, k_len - 1i - ${c(t)}, ${c(t)} < k_len);`],
    from: 'k_x', source: flatIndex(coords, x.dims),
  });
};

export const layoutKernels: Record<string, KernelGenerator> = {
  Transpose: transpose as KernelGenerator,
  Expand: expand,
  Tile: tile,
  DepthToSpace: depthToSpace as KernelGenerator,
  SpaceToDepth: spaceToDepth as KernelGenerator,
  Trilu: trilu as KernelGenerator,
  ReverseSequence: reverseSequence as KernelGenerator,
};
