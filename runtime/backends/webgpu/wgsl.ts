// Small typed helpers that write WGSL: buffer declarations, the invocation index, shape numbers
// as constants or uniforms (KernelDims), and index arithmetic. Identifiers are prefixed so
// generated code cannot collide with WGSL keywords or builtins.

import { stridesOf } from '../../tensor';
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
export function flatMain(n: number | string, body: string, perGroup = WORKGROUP): string {
  return `@compute @workgroup_size(${perGroup})
fn main(@builtin(global_invocation_id) k_gid: vec3u, @builtin(num_workgroups) k_groups: vec3u) {
  let idx = k_gid.x + k_gid.y * k_groups.x * ${perGroup}u;
  if (idx >= ${u32Expr(n)}) { return; }
${body}
}`;
}

export const u32Lit = (n: number): string => `${Math.max(0, Math.floor(n))}u`;

/**
 * A kernel's shape numbers (sizes, strides, offsets): each is baked into the WGSL as a constant
 * (a specialised kernel) or read from a uniform struct `k_dims` (a shape-generic kernel), so one
 * pipeline serves every shape that shares the kernel's structure. Generators ask for a number by
 * name; what stays a plain JS number (tile sizes, unroll counts, which guards exist) is structure
 * and still specialises. The uniform's words are the dispatch's run data (Dispatch.uniforms).
 */
export class KernelDims {
  private readonly fields = new Map<string, number>();

  constructor(readonly generic: boolean) {}

  /** `value` as a u32 WGSL expression. */
  u(name: string, value: number): string {
    if (!this.generic) return u32Lit(value);
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new RangeError(`kernel dim '${name}' = ${value} is not a u32`);
    const had = this.fields.get(name);
    if (had !== undefined && had !== value) throw new Error(`kernel dim '${name}' given ${had} and ${value}`);
    this.fields.set(name, value);
    return `k_dims.${name}`;
  }

  /** `value` as an f32 WGSL expression (a uniform holds its bits; infinities stay infinite). */
  f(name: string, value: number): string {
    if (!this.generic) return f32Lit(value);
    return `bitcast<f32>(${this.u(name, new Uint32Array(Float32Array.of(value).buffer)[0])})`;
  }

  /** `value` (≥ 0) as an i32 WGSL expression. */
  i(name: string, value: number): string {
    return this.generic ? `i32(${this.u(name, value)})` : i32Lit(value);
  }

  /** The uniform's declaration at `binding`, or '' when the kernel reads no dims from it. */
  declare(binding: number): string {
    if (!this.fields.size) return '';
    const members = [...this.fields.keys()].map((n) => `  ${n}: u32,`).join('\n');
    return `struct KDims {\n${members}\n}\n@group(0) @binding(${binding}) var<uniform> k_dims: KDims;`;
  }

  /** The uniform's contents in declaration order, or undefined when there is none. */
  words(): Uint32Array | undefined {
    return this.fields.size ? Uint32Array.from(this.fields.values()) : undefined;
  }
}
export const i32Lit = (n: number): string => `${Math.trunc(n)}i`;

/** A size given as a number (a constant) or as a WGSL expression (KernelDims.u: a uniform). */
export const u32Expr = (n: number | string): string => (typeof n === 'number' ? u32Lit(n) : n);

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

/** Row-major strides (runtime/tensor.ts), where the kernels take their index helpers from. */
export { stridesOf };

/**
 * WGSL statements that turn flat output index `from` into the flat index of a broadcast input:
 * `let <to> = …;`. `inDims` is right-aligned against `outDims` (numpy broadcasting).
 */
export function broadcastOffset(to: string, from: string, inDims: readonly number[], outDims: readonly number[], dims = new KernelDims(false), tag = to): string {
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
    const stride = dims.u(`os${a}`, outStrides[a]);
    const coord = a === 0 ? `(${from} / ${stride})` : `((${from} / ${stride}) % ${dims.u(`od${a}`, outDims[a])})`;
    terms.push(inStrides[i] === 1 ? coord : `${coord} * ${dims.u(`${tag}s${a}`, inStrides[i])}`);
  }
  return `let ${to} = ${terms.join(' + ') || '0u'};`;
}

/** Shared WGSL functions, added to a shader that calls them and does not define them itself. */
const PRELUDE: Record<string, string> = {
  // A NaN built at run time: WGSL rejects NaN in constant expressions.
  k_nan: 'fn k_nan() -> f32 { var k_bits = 0x7fc00000u; return bitcast<f32>(k_bits); }',
};

/** A subgroup builtin value or function (subgroupAdd, subgroupBroadcast, …) in WGSL source. */
const SUBGROUP_USE = /@builtin\(subgroup_|\bsubgroup[A-Z]\w*\s*\(/;

/** Whether WGSL source uses subgroup builtins or functions (it needs `enable subgroups;`). */
export const usesSubgroups = (code: string): boolean => SUBGROUP_USE.test(code);

/**
 * The source as a shader module takes it: the prelude functions it calls, and `enable subgroups;`
 * first when it uses subgroup builtins (the device then has the 'subgroups' feature: lowering
 * emits them only where GpuContext.subgroups said so).
 */
export function withPrelude(code: string): string {
  const extra = Object.entries(PRELUDE).filter(([name]) => code.includes(`${name}(`) && !code.includes(`fn ${name}(`));
  const body = extra.length ? `${extra.map(([, fn]) => fn).join('\n')}\n${code}` : code;
  return usesSubgroups(code) && !/^\s*enable\s[^;]*\bsubgroups\b/m.test(code) ? `enable subgroups;\n${body}` : body;
}
