// The kernel module's exports as the host calls them (assembly/index.ts defines them). Pointers
// are byte offsets into the instance's linear memory; dims and strides arrays are i32 in memory.

type Ptr = number;

export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heap_base(): Ptr;
  activate_f32(p: Ptr, n: number, act: number, p0: number, p1: number): void;
  binary_any(type: number, op: number, a: Ptr, b: Ptr, y: Ptr, rank: number, dims: Ptr, sa: Ptr, sb: Ptr): void;
  unary_any(type: number, op: number, x: Ptr, y: Ptr, n: number): void;
  where_any(esize: number, cond: Ptr, a: Ptr, b: Ptr, y: Ptr, rank: number, dims: Ptr, sc: Ptr, sa: Ptr, sb: Ptr): void;
  cast(from: number, to: number, x: Ptr, y: Ptr, n: number): void;
  cast_to_mini(
    from: number, x: Ptr, y: Ptr, n: number, ebits: number, mbits: number, bias: number, max: number, maxBits: number,
    nanBits: number, overflowBits: number, overflowSigned: number, uz: number, saturate: number,
  ): void;
  cast_from_mini(table: Ptr, x: Ptr, to: number, y: Ptr, n: number): void;
  gather_elements(esize: number, data: Ptr, idx: Ptr, idx64: number, y: Ptr, rank: number, dims: Ptr, strides: Ptr, axis: number, axisLen: number): void;
  scatter_elements(type: number, out: Ptr, idx: Ptr, idx64: number, upd: Ptr, rank: number, dims: Ptr, strides: Ptr, axis: number, axisLen: number, reduction: number): void;
  scatter_nd(type: number, out: Ptr, idx: Ptr, upd: Ptr, tuples: number, k: number, block: number, dims: Ptr, strides: Ptr, reduction: number): void;
  onehot(idxType: number, idx: Ptr, esize: number, y: Ptr, outer: number, depth: number, inner: number, off: Ptr, on: Ptr): void;
  trilu(esize: number, x: Ptr, y: Ptr, batch: number, rows: number, cols: number, kPtr: Ptr, upper: number): void;
  cumulate(type: number, x: Ptr, y: Ptr, outer: number, n: number, inner: number, exclusive: number, reverse: number, product: number): void;
  cumulate_axis(type: number, x: Ptr, y: Ptr, rank: number, dims: Ptr, axisPtr: Ptr, axis64: number, exclusive: number, reverse: number, product: number): void;
  topk(type: number, x: Ptr, values: Ptr, indices: Ptr, outer: number, n: number, inner: number, k: number, largest: number): void;
  nll_loss_f32(logp: Ptr, N: number, C: number, D: number, target: Ptr, t64: number, weight: Ptr, hasIgnore: number, ignore: number, reduction: number, y: Ptr): void;
  quantize_f32(x: Ptr, scale: Ptr, zp: Ptr, y: Ptr, yType: number, outer: number, axisLen: number, inner: number, block: number, os: number, as: number, ks: number, lo: number, hi: number): void;
  dequantize_f32(x: Ptr, xType: number, scale: Ptr, zp: Ptr, y: Ptr, outer: number, axisLen: number, inner: number, block: number, os: number, as: number, ks: number): void;
  attention_f32(
    q: Ptr, qs: Ptr, k: Ptr, v: Ptr, y: Ptr, ys: Ptr, B: number, Hq: number, Hkv: number, Sq: number, T: number, D: number, Dv: number,
    scale: number, softcap: number, mask: Ptr, maskBool: number, ms: Ptr, mlen: number, causal: number, pastLen: number, nonpad: Ptr,
    qk: Ptr, qkMode: number, row: Ptr, qrow: Ptr,
  ): void;
  expr_f32(x: Ptr, y: Ptr, n: number, prog: Ptr, count: number, consts: Ptr, regs: Ptr, out: number): void;
  hardmax_f32(x: Ptr, y: Ptr, outer: number, n: number, inner: number): void;
  lpnorm_f32(x: Ptr, y: Ptr, outer: number, n: number, inner: number, p: number): void;
  binary_f32(op: number, a: Ptr, b: Ptr, y: Ptr, rank: number, dims: Ptr, sa: Ptr, sb: Ptr, act: number, p0: number, p1: number): void;
  conv2d_nhwc_f32(
    x: Ptr, H: number, W: number, C: number, w: Ptr, bias: Ptr, y: Ptr, ldy: number, OH: number, OW: number, M: number,
    KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, PT: number, PL: number, group: number,
    scratch: Ptr, chunk: number, act: number, p0: number, p1: number,
  ): void;
  conv_transpose_nhwc_f32(
    x: Ptr, H: number, W: number, C: number, w: Ptr, bias: Ptr, y: Ptr, OH: number, OW: number, M: number,
    KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, PT: number, PL: number, group: number,
    tapMajor: number, scratch: Ptr, chunk: number, act: number, p0: number, p1: number,
  ): void;
  dwconv_nhwc_f32(
    x: Ptr, H: number, W: number, C: number, w: Ptr, bias: Ptr, y: Ptr, ldy: number, OH: number, OW: number,
    KH: number, KW: number, SH: number, SW: number, DH: number, DW: number, PT: number, PL: number,
    act: number, p0: number, p1: number,
  ): void;
  winograd3x3_nhwc_f32(
    x: Ptr, H: number, W: number, C: number, u: Ptr, bias: Ptr, y: Ptr, ldy: number, OH: number, OW: number, M: number,
    PT: number, PL: number, scratch: Ptr, chunk: number, act: number, p0: number, p1: number,
  ): void;
  gemm_f32(a: Ptr, lda: number, b: Ptr, c: Ptr, ldc: number, M: number, N: number, K: number, bias: Ptr, act: number, p0: number, p1: number): void;
  pack_b_f32(src: Ptr, rs: number, cs: number, K: number, N: number, dst: Ptr, alpha: number): void;
  pack_conv_f32(src: Ptr, M: number, Cg: number, taps: number, group: number, dst: Ptr): void;
  pack_bias_f32(src: Ptr, M: number, group: number, dst: Ptr): void;
  pack_dw_f32(src: Ptr, C: number, taps: number, dst: Ptr): void;
  copy_nd(esize: number, src: Ptr, dst: Ptr, rank: number, dims: Ptr, ss: Ptr, ds: Ptr): void;
  take_nd(esize: number, src: Ptr, dst: Ptr, rank: number, dims: Ptr, ss: Ptr, tables: Ptr, fill: Ptr): void;
  gather(esize: number, data: Ptr, idx: Ptr, idx64: number, y: Ptr, outer: number, axisLen: number, inner: number, count: number): void;
  fill(esize: number, dst: Ptr, n: number, value: Ptr): void;
  affine_f32(x: Ptr, y: Ptr, outer: number, C: number, inner: number, s: Ptr, t: Ptr): void;
  instancenorm_f32(x: Ptr, y: Ptr, N: number, C: number, plane: number, scale: Ptr, bias: Ptr, eps: number): void;
  layernorm_f32(x: Ptr, scale: Ptr, bias: Ptr, y: Ptr, rows: number, n: number, eps: number, mean: Ptr, invStd: Ptr, rms: number): void;
  avgpool_nhwc_f32(
    x: Ptr, H: number, W: number, C: number, y: Ptr, OH: number, OW: number, KH: number, KW: number,
    SH: number, SW: number, DH: number, DW: number, PT: number, PL: number, PB: number, PR: number, countPad: number,
  ): void;
  maxpool_nhwc_f32(
    x: Ptr, H: number, W: number, C: number, y: Ptr, OH: number, OW: number, KH: number, KW: number,
    SH: number, SW: number, DH: number, DW: number, PT: number, PL: number,
  ): void;
  reduce_f32(op: number, x: Ptr, y: Ptr, outer: number, r: number, inner: number): void;
  argreduce_f32(x: Ptr, y: Ptr, outer: number, r: number, inner: number, isMin: number, selectLast: number): void;
  resize_nhwc_f32(x: Ptr, y: Ptr, outer: number, H: number, W: number, C: number, OH: number, OW: number, ty: Ptr, ny: number, tx: Ptr, nx: number): void;
  resize_planes_f32(x: Ptr, y: Ptr, planes: number, H: number, W: number, OH: number, OW: number, ty: Ptr, ny: number, tx: Ptr, nx: number): void;
  softmax_f32(x: Ptr, y: Ptr, outer: number, n: number, inner: number, log: number): void;
  unary_f32(op: number, x: Ptr, y: Ptr, n: number, p0: number, p1: number): void;
}

/** The name of a kernel a plan may call. */
export type KernelName = Exclude<keyof KernelExports, 'memory' | 'heap_base'>;
