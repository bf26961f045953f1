// Small typed helpers that write WGSL: buffer declarations, the invocation index, and index
// arithmetic with shapes baked in as constants. Identifiers are prefixed so generated code
// cannot collide with WGSL keywords or builtins.

import type { Scalar } from './storage';

export const WORKGROUP = 256;
const MAX_GROUPS = 65535;

/** A 1-D launch over `n` invocations, folded into 2-D when it exceeds the per-axis limit. */
export function grid1d(n: number, perGroup = WORKGROUP): [number, number, number] {
  const groups = Math.max(1, Math.ceil(n / perGroup));
  if (groups <= MAX_GROUPS) return [groups, 1, 1];
  const y = Math.ceil(groups / MAX_GROUPS);
  return [Math.ceil(groups / y), y, 1];
}

export interface BufferDecl {
  readonly name: string;
  readonly type: Scalar | 'vec4<f32>';
  readonly access: 'read' | 'read_write';
}

export function declareBuffers(buffers: readonly BufferDecl[]): string {
  return buffers
    .map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.name}: array<${b.type}>;`)
    .join('\n');
}

/**
 * A compute entry point over a flat index `idx` in [0, n): declares `main` with the workgroup
 * size and turns the (possibly 2-D) grid into `idx`, returning early past the end.
 */
export function flatMain(n: number, body: string, perGroup = WORKGROUP): string {
  return `@compute @workgroup_size(${perGroup})
fn main(@builtin(global_invocation_id) k_gid: vec3u, @builtin(num_workgroups) k_groups: vec3u) {
  let idx = k_gid.x + k_gid.y * k_groups.x * ${perGroup}u;
  if (idx >= ${n}u) { return; }
${body}
}`;
}

export const u32Lit = (n: number): string => `${Math.max(0, Math.floor(n))}u`;
export const i32Lit = (n: number): string => `${Math.trunc(n)}i`;

/**
 * An f32 literal WGSL accepts for any JS number (infinities become the largest finite value; NaN
 * is not a valid constant expression in WGSL: it comes from `k_nan()`, which `withPrelude` adds).
 */
export function f32Lit(v: number): string {
  if (Number.isNaN(v)) return 'k_nan()';
  if (v === Infinity) return '3.4028234663852886e38f';
  if (v === -Infinity) return '-3.4028234663852886e38f';
  const s = String(v);
  return /[.eE]/.test(s) ? `${s}f` : `${s}.0f`;
}

export function stridesOf(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= dims[i];
  }
  return s;
}

/**
 * WGSL statements that turn flat output index `from` into the flat index of a broadcast input:
 * `let <to> = …;`. `inDims` is right-aligned against `outDims` (numpy broadcasting).
 */
export function broadcastOffset(to: string, from: string, inDims: readonly number[], outDims: readonly number[]): string {
  const rank = outDims.length;
  const inSize = inDims.reduce((a, b) => a * b, 1);
  const outSize = outDims.reduce((a, b) => a * b, 1);
  if (inSize === outSize && inDims.length <= rank) return `let ${to} = ${from};`;
  if (inSize === 1) return `let ${to} = 0u;`;
  const outStrides = stridesOf(outDims);
  const inStrides = stridesOf(inDims);
  const terms: string[] = [];
  for (let a = 0; a < rank; a++) {
    const i = a - (rank - inDims.length);
    if (i < 0 || inDims[i] === 1) continue;
    const coord = a === 0 ? `(${from} / ${outStrides[a]}u)` : `((${from} / ${outStrides[a]}u) % ${outDims[a]}u)`;
    terms.push(inStrides[i] === 1 ? coord : `${coord} * ${inStrides[i]}u`);
  }
  return `let ${to} = ${terms.join(' + ') || '0u'};`;
}

/** Shared WGSL functions, added to a shader that calls them and does not define them itself. */
const PRELUDE: Record<string, string> = {
  // A NaN built at run time: WGSL rejects NaN in constant expressions.
  k_nan: 'fn k_nan() -> f32 { var k_bits = 0x7fc00000u; return bitcast<f32>(k_bits); }',
};

export function withPrelude(code: string): string {
  const extra = Object.entries(PRELUDE).filter(([name]) => code.includes(`${name}(`) && !code.includes(`fn ${name}(`));
  return extra.length ? `${extra.map(([, fn]) => fn).join('\n')}\n${code}` : code;
}
