// The one tiled GEMM template that MatMul, Gemm and Conv (pointwise and implicit-GEMM KxK) share:
// C[b, m, n] = Σ_k A(b, m, k) · B(b, k, n), with the operand loads and the store given as WGSL
// expressions, so im2col indexing, transposes and broadcast batches live in the loaders.
// Each step stages a tileK-deep panel of A and B in workgroup memory; the next panels' global
// loads are issued into registers before the current panels are multiplied (unrolled, so their
// latency overlaps the arithmetic). Deep, narrow products split K over workgroups (split-K): the
// partial sums go to a scratch buffer and a second dispatch adds them and runs the epilogue.
//
// Sizes live in spec.dims: uniforms (with every bounds guard kept) make one pipeline serve all
// GEMMs of a configuration; constants drop the guards a shape does not need. With uniforms the
// split count is run data too: one kernel stores partial sums when it is above 1 and runs the
// epilogue itself otherwise, so split and unsplit GEMMs of a tile configuration share a pipeline.
//
// Tunable knobs (GemmConfig; ../tune.ts times a few per GEMM problem on the device and records
// the fastest, which the lowering then asks for through `gemmChoice`):
//   tileM, tileN  — the output tile one workgroup computes (rows × columns)
//   tileK         — the depth of the shared-memory panels loaded per step
//   regM, regN    — the register block each invocation accumulates (regM × regN outputs)
//   vec4B         — load B four columns at a time (only where the caller can: see gemmConfig)
//   splitK        — how many workgroups share one output tile's K range (1: no split)
// The workgroup size follows: (tileN / regN) × (tileM / regM) invocations, at most 256, and the
// panels take 4·tileK·(tileM + tileN) bytes of workgroup memory (at most 16 KiB).

import type { Binding, Dispatch } from '../kernel';
import { declareBuffers, grid1d, KernelDims, type BufferDecl } from '../wgsl';
import { helpersFor } from './activation-helpers';

export interface GemmConfig {
  readonly tileM: number;
  readonly tileN: number;
  readonly tileK: number;
  readonly regM: number;
  readonly regN: number;
  readonly vec4B: boolean;
  readonly splitK: number;
}

/**
 * K is split below SPLIT_GROUPS workgroups. At batch 1 the late layers have few outputs (256×196
 * at ResNet-50's 14×14), so a workgroup per SM is latency-bound: on the H100, 32×32 tiles split
 * 4-8 ways ran 3-10× faster than unsplit 64×64 ones there. Splitting more (512 groups, depth 32)
 * sped those layers up alone but slowed whole models (ResNet-50 2.75 → 3.15 ms GPU): each split
 * adds a dispatch. Checked again on the H200 with sizes as uniforms: splitting below 128 groups
 * instead of 256, or never (with or without 16×16 tiles), cost ResNet-50 1.44 → 1.61 / 2.61 /
 * 2.47 ms of GPU time.
 */
const SPLIT_GROUPS = 256;
/** The least depth one split keeps. */
const MIN_SPLIT_DEPTH = 64;

const pow2 = (v: number) => 2 ** Math.ceil(Math.log2(Math.max(1, v)));
const groupsOf = (c: Pick<GemmConfig, 'tileM' | 'tileN'>, M: number, N: number, batch: number) =>
  batch * Math.ceil(M / c.tileM) * Math.ceil(N / c.tileN);

/** One GEMM to configure, as a tuning record names it. */
export interface GemmProblem {
  /** the loader family (conv1x1, conv3x3s1, matmul, gemm, …): loads differ in cost */
  readonly kind: string;
  readonly batch: number;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** the caller can load B four columns at a time (vec4B may be chosen) */
  readonly canVec4: boolean;
}

/** The key a tuned choice for this problem is stored under. */
export const gemmKey = (p: GemmProblem): string => `${p.kind}:${p.batch}x${p.M}x${p.N}x${p.K}${p.canVec4 ? ':v4' : ''}`;

/** A tuned configuration for a problem, if one is known (the lowering's `gemmChoice`). */
export type GemmChooser = (p: GemmProblem) => Partial<GemmConfig> | undefined;

/** Whether tile candidates apply: thin products keep their one-row tiles (or the gemv). */
const tileTunable = (p: Pick<GemmProblem, 'M' | 'N'>): boolean => p.M > 8 && p.N > 8;

type Tile = Omit<GemmConfig, 'splitK'>;

/**
 * The default tiles: one configuration for every product wide enough for tiles (32×32 of 2×2
 * blocks, B loaded by scalars), so an untuned model compiles one GEMM pipeline per loader kind;
 * a tuning run on the device (../tune.ts) gives each problem a bigger tile or vec4 loads where
 * they pay. Thin shapes get one-row tiles. Measured on the H200 (docs/BENCHMARKS.md "Tuning"):
 * the 64×64, 32×64 and vec4 variants these defaults dropped cost MobileNetV2's first creation
 * 150-250 ms of driver compiles for no GPU time (0.38 ms either way); ResNet-50 lost 3 %
 * (1.44 → 1.48 ms), which tuning more than wins back (1.18 ms).
 */
function defaultTile(M: number, N: number): Tile {
  if (M <= 8) {
    // thin: a few rows (fully connected layers at batch 1): spread the columns
    const tileM = pow2(M);
    return { tileM, tileN: 64, tileK: 16, regM: 1, regN: tileM <= 4 ? 1 : 2, vec4B: false };
  }
  if (N <= 8) {
    const tileN = pow2(N);
    return { tileM: 64, tileN, tileK: 16, regM: tileN <= 4 ? 1 : 2, regN: 1, vec4B: false };
  }
  return { tileM: 32, tileN: 32, tileK: 16, regM: 2, regN: 2, vec4B: false };
}

/** Split-K for a tile: when even it leaves the GPU mostly idle and K is deep. */
function splitFor(c: Tile, M: number, N: number, K: number, batch: number): number {
  const groups = groupsOf(c, M, N, batch);
  // matrix-vector shapes (SE blocks, fully connected layers) do little per step: split shallower
  const depth = M <= 8 || N <= 8 ? MIN_SPLIT_DEPTH / 2 : MIN_SPLIT_DEPTH;
  return groups < SPLIT_GROUPS && K >= 4 * depth
    ? Math.max(1, Math.min(16, Math.ceil(SPLIT_GROUPS / groups), Math.floor(K / depth))) : 1;
}

/** The defaults for a batch of M × N × K products: defaultTile, split-K by splitFor. */
export function defaultGemmConfig(M: number, N: number, K = 0, batch = 1): GemmConfig {
  const c = defaultTile(M, N);
  return { ...c, splitK: splitFor(c, M, N, K, batch) };
}

/** Checks a configuration against the WebGPU default limits; returns why it is invalid, if it is. */
export function invalidConfig(c: GemmConfig): string | undefined {
  if (c.tileM % c.regM || c.tileN % c.regN) return 'tiles must be multiples of the register block';
  const threads = (c.tileM / c.regM) * (c.tileN / c.regN);
  if (threads > 256 || threads < 1) return `${threads} invocations per workgroup`;
  if (4 * c.tileK * (c.tileM + c.tileN) > 16384) return 'panels exceed 16 KiB of workgroup memory';
  if (c.vec4B && c.tileN % 4 !== 0) return 'vec4B needs tileN a multiple of 4';
  if (!(c.splitK >= 1)) return 'splitK must be at least 1';
  return undefined;
}

/**
 * The configuration a GEMM will run with: defaults for the problem, overridden by `knobs` (a tuned
 * choice: a tile without a split count gets the split that tile wants), with vec4B kept only
 * where N is a multiple of 4 and the caller can load B by quads. Callers resolve it first, since a
 * vec4 B is declared as array<vec4<f32>>.
 */
export function gemmConfig(p: GemmProblem, knobs?: Partial<GemmConfig>): GemmConfig {
  const { M, N, K, batch } = p;
  const { splitK, ...tile } = knobs ?? {};
  const t = { ...defaultTile(M, N), ...tile };
  const split = splitK ?? splitFor(t, M, N, K, batch);
  return { ...t, vec4B: t.vec4B && p.canVec4 && N % 4 === 0 && t.tileN % 4 === 0, splitK: Math.max(1, Math.min(split, Math.ceil(K / t.tileK))) };
}

/**
 * A problem's configuration, its tuned choice where there is one (a choice this template cannot
 * run, say one recorded by another version, gives way to the defaults), and the key its
 * dispatches carry where tuning applies to it.
 */
export function tunedGemm(p: GemmProblem, choose?: GemmChooser): { readonly config: GemmConfig; readonly tuneKey: string | undefined } {
  const chosen = choose?.(p);
  const config = chosen ? gemmConfig(p, chosen) : undefined;
  return { config: config && !invalidConfig(config) ? config : gemmConfig(p), tuneKey: tileTunable(p) ? gemmKey(p) : undefined };
}

/** How one operand is read: `load(b, row, k)` for A (row = m), `load(b, k, col)` for B (col = n). */
export interface GemmOperand {
  /** WGSL f32 expression of the element; indices are u32 WGSL expressions, always in bounds */
  readonly load: (b: string, i: string, j: string) => string;
  /** true when consecutive k are adjacent in memory (so panel loads walk k fastest) */
  readonly kContiguous: boolean;
  /**
   * For B only: WGSL vec4<f32> expression of columns j..j+3 at depth k (j a multiple of 4, all
   * four in bounds): used when the config has `vec4B`.
   */
  readonly load4?: (b: string, k: string, j: string) => string;
}

/** A buffer one of the dispatches binds. */
export interface GemmBuffer {
  readonly decl: BufferDecl;
  readonly binding: Binding;
}

export interface GemmSpec {
  readonly label: string;
  readonly batch: number;
  readonly M: number;
  readonly N: number;
  readonly K: number;
  /** the buffers the operand loaders read, in binding order */
  readonly loadBuffers: readonly GemmBuffer[];
  /** the buffers the store uses (the output, a bias, …), in binding order */
  readonly storeBuffers: readonly GemmBuffer[];
  /** WGSL functions the loaders call */
  readonly loadHelpers?: string;
  /** statements run once per invocation, with `k_b` (the batch) in scope; may not touch buffers */
  readonly setup?: string;
  readonly a: GemmOperand;
  readonly b: GemmOperand;
  /** statements that store `acc` (f32) as output (b, m, n): `k_b`, `k_m`, `k_n` in scope */
  readonly store: (acc: string) => string;
  /** from gemmConfig() */
  readonly config: GemmConfig;
  /** gemmKey of a tunable problem: its dispatches carry it, so a tuning run can time them by problem */
  readonly tuneKey?: string;
  /**
   * Where the sizes (batch, M, N, K, …) go: uniforms, so one pipeline serves every GEMM of the
   * same configuration, or constants. The loaders, setup and store may add their own.
   */
  readonly dims?: KernelDims;
}

const u = (n: number) => `${n}u`;

interface Panel {
  /** declarations of the staging registers */
  readonly regs: string;
  /** global loads of the panel at depth `k0` into the registers */
  readonly fetch: (k0: string) => string;
  /** the registers into workgroup memory */
  readonly stage: string;
}

/** One operand's panel ([tileK][rows] in workgroup memory), loaded by unrolled scalar reads. */
function scalarPanel(d: KernelDims, name: string, op: GemmOperand, isA: boolean, rows: number, tileK: number, threads: number, base: string, limit: number, K: number): Panel {
  const count = rows * tileK;
  const iters = Math.ceil(count / threads);
  const kk = op.kContiguous ? `k_e % ${u(tileK)}` : `k_e / ${u(rows)}`;
  const rr = op.kContiguous ? `k_e / ${u(tileK)}` : `k_e % ${u(rows)}`;
  const regs: string[] = [];
  const fetch: ((k0: string) => string)[] = [];
  const stage: string[] = [];
  for (let t = 0; t < iters; t++) {
    const r = `k_r${name}${t}`;
    const partial = (t + 1) * threads > count;
    regs.push(`  var ${r} = 0.0f;`);
    const pos = `let k_e = k_li + ${u(t * threads)}; let k_kk = ${kk}; let k_rr = ${rr};`;
    fetch.push((k0) => {
      const gk = `(${k0} + k_kk)`;
      const gr = `(${base} + k_rr)`;
      const g = [partial ? `k_e < ${u(count)}` : '', (d.generic || limit % rows !== 0) ? `${gr} < ${d.u(isA ? 'M' : 'N', limit)}` : '', (d.generic || K % tileK !== 0) ? `${gk} < ${d.u('K', K)}` : ''].filter(Boolean);
      const value = isA ? op.load('k_b', gr, gk) : op.load('k_b', gk, gr);
      return g.length ? `    { ${pos} ${r} = 0.0f; if (${g.join(' && ')}) { ${r} = ${value}; } }` : `    { ${pos} ${r} = ${value}; }`;
    });
    stage.push(`    { ${pos} ${partial ? `if (k_e < ${u(count)}) { ` : ''}k_p${name}[k_kk * ${u(rows)} + k_rr] = ${r};${partial ? ' }' : ''} }`);
  }
  return { regs: regs.join('\n'), fetch: (k0) => fetch.map((f) => f(k0)).join('\n'), stage: stage.join('\n') };
}

/** B's panel loaded as vec4 along n (N % 4 == 0 and the loader's load4). */
function vec4Panel(d: KernelDims, op: GemmOperand, cols: number, tileK: number, threads: number, N: number, K: number): Panel {
  const load4 = op.load4;
  if (!load4) throw new Error('vec4 panel load without load4');
  const quads = cols / 4;
  const count = quads * tileK;
  const iters = Math.ceil(count / threads);
  const regs: string[] = [];
  const fetch: ((k0: string) => string)[] = [];
  const stage: string[] = [];
  for (let t = 0; t < iters; t++) {
    const r = `k_rb${t}`;
    const partial = (t + 1) * threads > count;
    regs.push(`  var ${r} = vec4<f32>();`);
    const pos = `let k_e = k_li + ${u(t * threads)}; let k_kk = k_e / ${u(quads)}; let k_rr = (k_e % ${u(quads)}) * 4u;`;
    fetch.push((k0) => {
      const gk = `(${k0} + k_kk)`;
      const g = [partial ? `k_e < ${u(count)}` : '', (d.generic || N % cols !== 0) ? `k_n0 + k_rr < ${d.u('N', N)}` : '', (d.generic || K % tileK !== 0) ? `${gk} < ${d.u('K', K)}` : ''].filter(Boolean);
      const value = load4('k_b', gk, '(k_n0 + k_rr)');
      return g.length ? `    { ${pos} ${r} = vec4<f32>(); if (${g.join(' && ')}) { ${r} = ${value}; } }` : `    { ${pos} ${r} = ${value}; }`;
    });
    stage.push(`    { ${pos} ${partial ? `if (k_e < ${u(count)}) { ` : ''}let k_o = k_kk * ${u(cols)} + k_rr; k_pb[k_o] = ${r}.x; k_pb[k_o + 1u] = ${r}.y; k_pb[k_o + 2u] = ${r}.z; k_pb[k_o + 3u] = ${r}.w;${partial ? ' }' : ''} }`);
  }
  return { regs: regs.join('\n'), fetch: (k0) => fetch.map((f) => f(k0)).join('\n'), stage: stage.join('\n') };
}

/** The dispatches of one tiled GEMM (one, or two with split-K), or a reason it cannot run. */
export function gemmDispatches(spec: GemmSpec): Dispatch[] | string {
  const made = build(spec);
  const key = spec.tuneKey;
  return typeof made === 'string' || key === undefined ? made : made.map((d) => ({ ...d, tuneKey: key }));
}

function build(spec: GemmSpec): Dispatch[] | string {
  const c = spec.config;
  const bad = invalidConfig(c);
  if (bad) return `GEMM config: ${bad}`;
  const { M, N, K, batch } = spec;
  const tx = c.tileN / c.regN;
  const ty = c.tileM / c.regM;
  const threads = tx * ty;
  const split = c.splitK;
  // each split covers kChunk of K (a multiple of tileK)
  const kChunk = Math.ceil(K / split / c.tileK) * c.tileK;
  const groups: [number, number, number] = [Math.ceil(N / c.tileN), Math.ceil(M / c.tileM), batch * split];
  if (groups.some((g) => g > 65535)) return `grid ${groups.join('×')} exceeds 65535 workgroups per axis`;

  const d = spec.dims ?? new KernelDims(false);
  const pa = scalarPanel(d, 'a', spec.a, true, c.tileM, c.tileK, threads, 'k_m0', M, K);
  const pb = c.vec4B ? vec4Panel(d, spec.b, c.tileN, c.tileK, threads, N, K) : scalarPanel(d, 'b', spec.b, false, c.tileN, c.tileK, threads, 'k_n0', N, K);
  const accs: string[] = [];
  const fmas: string[] = [];
  const aRegs: string[] = [];
  const bRegs: string[] = [];
  for (let i = 0; i < c.regM; i++) aRegs.push(`      let k_a${i} = k_pa[k_kk * ${u(c.tileM)} + k_ty * ${u(c.regM)} + ${u(i)}];`);
  for (let j = 0; j < c.regN; j++) bRegs.push(`      let k_b${j} = k_pb[k_kk * ${u(c.tileN)} + k_tx + ${u(j * tx)}];`);
  for (let i = 0; i < c.regM; i++) {
    for (let j = 0; j < c.regN; j++) {
      accs.push(`  var k_c${i}_${j} = 0.0f;`);
      fmas.push(`      k_c${i}_${j} = fma(k_a${i}, k_b${j}, k_c${i}_${j});`);
    }
  }
  // uniforms: whether K is split is decided at run time, by the same kernel
  const runtimeSplit = d.generic;
  const partialStore = (acc: string) => `k_part[(k_ks * ${d.u('batch', batch)} + k_b) * ${d.u('MN', M * N)} + k_m * ${d.u('N', N)} + k_n] = ${acc};`;
  const store = runtimeSplit
    ? (acc: string) => `if (k_split) { ${partialStore(acc)} } else { ${spec.store(acc)} }`
    : split === 1 ? spec.store : partialStore;
  // The register block is stored by a loop over it, the epilogue written once. Unrolled, with
  // the split branch, its 2·regM·regN copies took a 64×64 GEMM's cold compile on the H200 from
  // 115 to 148 ms (medians of 3); the loop compiles in 114 ms and runs as fast.
  const regs = c.regM * c.regN;
  const guard = [d.generic || M % c.tileM !== 0 ? `k_m < ${d.u('M', M)}` : '', d.generic || N % c.tileN !== 0 ? `k_n < ${d.u('N', N)}` : ''].filter(Boolean);
  const stores = `  var k_acc = array<f32, ${regs}>(${Array.from({ length: regs }, (_, k) => `k_c${Math.floor(k / c.regN)}_${k % c.regN}`).join(', ')});
${runtimeSplit ? `  let k_split = ${d.u('splits', split)} > 1u;\n` : ''}  for (var k_i = 0u; k_i < ${u(regs)}; k_i = k_i + 1u) {
    let k_m = k_m0 + k_ty * ${u(c.regM)} + k_i / ${u(c.regN)};
    let k_n = k_n0 + k_tx + (k_i % ${u(c.regN)}) * ${u(tx)};
    ${guard.length ? `if (${guard.join(' && ')}) { ${store('k_acc[k_i]')} }` : store('k_acc[k_i]')}
  }`;
  const kEnd = split === 1 && !runtimeSplit ? d.u('K', K) : `min(k_kbeg + ${d.u('kChunk', kChunk)}, ${d.u('K', K)})`;
  const main = `var<workgroup> k_pa: array<f32, ${c.tileK * c.tileM}>;
var<workgroup> k_pb: array<f32, ${c.tileK * c.tileN}>;

@compute @workgroup_size(${tx}, ${ty}, 1)
fn main(@builtin(workgroup_id) k_wid: vec3u, @builtin(local_invocation_id) k_lid: vec3u, @builtin(local_invocation_index) k_li: u32) {
  let k_b = k_wid.z % ${d.u('batch', batch)};
  let k_ks = k_wid.z / ${d.u('batch', batch)};
  let k_m0 = k_wid.y * ${u(c.tileM)};
  let k_n0 = k_wid.x * ${u(c.tileN)};
  let k_tx = k_lid.x;
  let k_ty = k_lid.y;
  let k_kbeg = k_ks * ${split === 1 && !runtimeSplit ? '0u' : d.u('kChunk', kChunk)};
  let k_kend = ${kEnd};
${spec.setup ?? ''}
${accs.join('\n')}
${pa.regs}
${pb.regs}
  if (k_kbeg < k_kend) {
${pa.fetch('k_kbeg')}
${pb.fetch('k_kbeg')}
  }
  for (var k_k0 = k_kbeg; k_k0 < k_kend; k_k0 = k_k0 + ${u(c.tileK)}) {
${pa.stage}
${pb.stage}
    workgroupBarrier();
    if (k_k0 + ${u(c.tileK)} < k_kend) {
${pa.fetch(`k_k0 + ${u(c.tileK)}`)}
${pb.fetch(`k_k0 + ${u(c.tileK)}`)}
    }
    for (var k_kk = 0u; k_kk < ${u(c.tileK)}; k_kk = k_kk + 1u) {
${aRegs.join('\n')}
${bRegs.join('\n')}
${fmas.join('\n')}
    }
    workgroupBarrier();
  }
${stores}
}`;
  // the reduction: one invocation per output, summing the splits, then the epilogue
  const total = batch * M * N;
  const reduce = split === 1 && !runtimeSplit ? '' : `@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) k_gid: vec3u, @builtin(num_workgroups) k_groups: vec3u) {
  let idx = k_gid.x + k_gid.y * k_groups.x * 256u;
  let k_total = ${d.u('total', total)};
  if (idx >= k_total) { return; }
  let k_b = idx / ${d.u('MN', M * N)};
  let k_m = (idx / ${d.u('N', N)}) % ${d.u('M', M)};
  let k_n = idx % ${d.u('N', N)};
${spec.setup ?? ''}
  var k_sum = k_part[idx];
  for (var k_s = 1u; k_s < ${d.u('splits', split)}; k_s = k_s + 1u) { k_sum = k_sum + k_part[k_s * k_total + idx]; }
  ${spec.store('k_sum')}
}`;
  // every dim is known only now that both kernels are written: they share one uniform layout
  // (with a run-time split both are always written, so the layout is the same whichever runs)
  const uniforms = d.words();
  const loads = spec.loadBuffers;
  const part: BufferDecl = { name: 'k_part', type: 'f32', access: 'read_write' };
  const partials: Binding = { kind: 'scratch', id: 0, elements: split * batch * M * N };
  if (runtimeSplit) {
    // the partial sums' buffer is bound either way: a stand-in when there is no split
    const bufs = [...loads, ...spec.storeBuffers, { decl: part, binding: split === 1 ? NO_PARTIALS : partials }];
    const decls = `${declareBuffers(bufs.map((b) => b.decl))}\n${d.declare(bufs.length)}\n${spec.loadHelpers ?? ''}`;
    const first: Dispatch = { wgsl: `${decls}\n${helpersFor(main)}\n${main}`, workgroups: groups, bindings: bufs.map((b) => b.binding), label: split === 1 ? spec.label : `${spec.label}_splitk${split}`, uniforms };
    return split === 1 ? [first] : [first, sum(spec, d, reduce, partials, total, uniforms)];
  }
  if (split === 1) {
    const bufs = [...loads, ...spec.storeBuffers];
    const decls = `${declareBuffers(bufs.map((b) => b.decl))}\n${d.declare(bufs.length)}\n${spec.loadHelpers ?? ''}`;
    return [{ wgsl: `${decls}\n${helpersFor(main)}\n${main}`, workgroups: groups, bindings: bufs.map((b) => b.binding), label: spec.label, uniforms }];
  }
  const decls1 = `${declareBuffers([...loads.map((b) => b.decl), part])}\n${d.declare(loads.length + 1)}\n${spec.loadHelpers ?? ''}`;
  const first: Dispatch = { wgsl: `${decls1}\n${main}`, workgroups: groups, bindings: [...loads.map((b) => b.binding), partials], label: `${spec.label}_splitk${split}`, uniforms };
  return [first, sum(spec, d, reduce, partials, total, uniforms)];
}

/** What an unsplit run-time-split GEMM binds as its partial sums (never written). */
const NO_PARTIALS: Binding = { kind: 'scratch', id: 2, elements: 1 };

/** The split-K reduction's dispatch: the partial sums in, the spec's store buffers out. */
function sum(spec: GemmSpec, d: KernelDims, reduce: string, partials: Binding, total: number, uniforms: Uint32Array | undefined): Dispatch {
  const decls = `${declareBuffers([{ name: 'k_part', type: 'f32', access: 'read' }, ...spec.storeBuffers.map((b) => b.decl)])}\n${d.declare(1 + spec.storeBuffers.length)}`;
  return {
    wgsl: `${decls}\n${helpersFor(reduce)}\n${reduce}`, workgroups: grid1d(total), label: `${spec.label}_splitk_sum`,
    bindings: [partials, ...spec.storeBuffers.map((b) => b.binding)], uniforms,
  };
}
