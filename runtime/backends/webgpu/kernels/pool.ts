// Pools: MaxPool (values only: a node that asks for Indices is unsupported), AveragePool
// (count_include_pad, ceil_mode, pads) and LpPool as direct window kernels, one invocation per
// output; GlobalAverage/Max/LpPool as a workgroup per (n, c) with a shared-memory tree reduction.
// Knobs: `workgroup` (window pools), the reduction width follows the plane size (reduce-template).

import { geometry, type SpatialAttrs } from '../../../ops/nn/util';
import type { KernelGenerator, LowerArgs, Lowering } from '../kernel';
import { kernelDims, unsupported } from '../kernel';
import { scalarOf } from '../storage';
import { declareBuffers, f32Lit, flatMain, grid1d } from '../wgsl';
import { helpersFor } from './activation-helpers';
import { epilogue, prod, split3, window3 } from './conv-common';
import { groupDispatch, groupLayout, strided, workgroupFor, workgroupReduce } from './reduce-template';

interface PoolAttrs extends SpatialAttrs {
  readonly countIncludePad: boolean;
  readonly storageOrder: number;
  readonly p: number;
}

type Kind = 'max' | 'avg' | 'lp';

const INIT = { f32: '-3.4028234663852886e38f', i32: '-2147483648i', u32: '0u' } as const;

function windowPool(kind: Kind, workgroup: number) {
  return (args: LowerArgs<PoolAttrs>): Lowering => {
    const { node, attrs, inputs, outputs } = args;
    const x = inputs[0];
    const s = x && scalarOf(x.dtype);
    if (!x || !s || (s !== 'f32' && kind !== 'max')) return unsupported(`${node.op} has no GPU kernel for ${x?.dtype}`);
    if (node.outputs.length > 1 && node.outputs[1]) return unsupported('MaxPool with the Indices output');
    const r = x.dims.length - 2;
    if (r < 1 || r > 3) return unsupported(`${node.op} needs 1 to 3 spatial dims`);
    let geo;
    try {
      geo = geometry(node.op, x.dims.slice(2), attrs.kernelShape ?? [], attrs);
    } catch (e) {
      return unsupported((e as Error).message);
    }
    const w = window3(x.dims.slice(2), geo);
    const [ID, IH, IW] = w.inS;
    const [KD, KH, KW] = w.kernel;
    const [SD, SH, SW] = w.strides;
    const [DD, DH, DW] = w.dilations;
    const [PD, PH, PW] = w.padBegin;
    const [ED, EH, EW] = w.padEnd;
    const P = prod(w.outS);
    const total = prod(outputs[0].dims);
    if (total === 0) return { kind: 'dispatch', dispatches: [] };
    const act = s === 'f32' ? epilogue(node, 'k_r') : node.attrs.has('kiln_activation') ? undefined : 'k_r';
    if (act === undefined) return unsupported('fused activation not applicable');
    // per tap: whether inside the padded extent (count_include_pad) and inside the input
    const axis = (i: string, o: string, k: string, st: number, d: number, pb: number) => `let ${i} = i32(${o} * ${st}u + ${k} * ${d}u) - ${pb}i;`;
    const fold = kind === 'max' ? 'k_acc = max(k_acc, k_v);' : kind === 'avg' ? 'k_acc = k_acc + k_v;' : `k_acc = k_acc + pow(abs(k_v), ${f32Lit(attrs.p)});`;
    const result = kind === 'max' ? 'k_acc'
      : kind === 'avg' ? `k_acc / f32(${attrs.countIncludePad ? 'k_padded' : 'k_count'})`
        : `pow(k_acc, ${f32Lit(1 / attrs.p)})`;
    // sizes as uniforms; the window (kernel, strides, dilations, pads) stays constant
    const d = kernelDims(args);
    const body = `  let k_p = idx % ${d.u('P', P)};
  let k_nc = idx / ${d.u('P', P)};
  ${split3('k_o', 'k_p', w.outS, d)}
  let k_base = k_nc * ${d.u('inSize', ID * IH * IW)};
  var k_acc = ${kind === 'max' ? INIT[s] : '0.0f'};
  var k_count = 0u;
  var k_padded = 0u;
  for (var k_kd = 0u; k_kd < ${KD}u; k_kd = k_kd + 1u) {
    ${axis('k_iz', 'k_od', 'k_kd', SD, DD, PD)}
    if (k_iz < ${-PD}i || k_iz >= ${d.i('IDE', ID + ED)}) { continue; }
    for (var k_kh = 0u; k_kh < ${KH}u; k_kh = k_kh + 1u) {
      ${axis('k_iy', 'k_oh', 'k_kh', SH, DH, PH)}
      if (k_iy < ${-PH}i || k_iy >= ${d.i('IHE', IH + EH)}) { continue; }
      for (var k_kw = 0u; k_kw < ${KW}u; k_kw = k_kw + 1u) {
        ${axis('k_ix', 'k_ow', 'k_kw', SW, DW, PW)}
        if (k_ix < ${-PW}i || k_ix >= ${d.i('IWE', IW + EW)}) { continue; }
        k_padded = k_padded + 1u;
        if (k_iz < 0i || k_iz >= ${d.i('ID', ID)} || k_iy < 0i || k_iy >= ${d.i('IH', IH)} || k_ix < 0i || k_ix >= ${d.i('IW', IW)}) { continue; }
        k_count = k_count + 1u;
        let k_v = k_x[k_base + (u32(k_iz) * ${d.u('IH', IH)} + u32(k_iy)) * ${d.u('IW', IW)} + u32(k_ix)];
        ${fold}
      }
    }
  }
  let k_r = ${result};
  k_y[idx] = ${act};`;
    const decls = declareBuffers([{ name: 'k_x', type: s, access: 'read' }, { name: 'k_y', type: s, access: 'read_write' }]);
    const main = flatMain(d.u('total', total), body, workgroup);
    const wgsl = `${decls}\n${d.declare(2)}\n${helpersFor(main)}\n${main}`;
    return {
      kind: 'dispatch',
      dispatches: [{ wgsl, workgroups: grid1d(total, workgroup), label: `${kind}pool${KH}x${KW}`, bindings: [{ kind: 'input', index: 0 }, { kind: 'output', index: 0 }], uniforms: d.words() }],
    };
  };
}

function globalPool(kind: Kind) {
  return (args: LowerArgs<{ p: number }>): Lowering => {
    const { node, attrs, inputs } = args;
    const x = inputs[0];
    if (!x || scalarOf(x.dtype) !== 'f32' || x.dims.length < 2) return unsupported(`${node.op} has no GPU kernel for ${x?.dtype}`);
    const act = epilogue(node, 'k_r');
    if (act === undefined) return unsupported('unknown fused activation');
    const axes = x.dims.map((_, i) => i).filter((i) => i >= 2);
    // sizes as uniforms: one pipeline per reduction width whatever the planes
    const layout = groupLayout(x.dims, axes, kernelDims(args));
    if (layout.groups === 0) return { kind: 'dispatch', dispatches: [] };
    const width = workgroupFor(layout.len);
    const at = `base + ${layout.offset('j')}`;
    const p = f32Lit(kind === 'lp' ? attrs.p : 1);
    const term = kind === 'lp' ? `pow(abs(k_x[${at}]), ${p})` : `k_x[${at}]`;
    const combine = kind === 'max' ? (a: string, b: string) => `max(${a}, ${b})` : (a: string, b: string) => `${a} + ${b}`;
    const fin = kind === 'max' ? 's' : kind === 'avg' ? `s / f32(${layout.dims.u('len', layout.len)})` : `pow(s, ${f32Lit(1 / (kind === 'lp' ? attrs.p : 1))})`;
    const body = `  var acc = ${kind === 'max' ? INIT.f32 : '0.0f'};
${strided(layout.dims.u('len', layout.len), width, `    acc = ${combine('acc', term)};`)}
  let s = k_wg_red(acc, lid);
  if (lid == 0u) {
    let k_r = ${fin};
    k_y[g] = ${act};
  }`;
    const decls = declareBuffers([{ name: 'k_x', type: 'f32', access: 'read' }, { name: 'k_y', type: 'f32', access: 'read_write' }]);
    return groupDispatch(`global${kind}pool`, layout, width, `${decls}\n${workgroupReduce('red', 'f32', width, combine, args.subgroups)}`, body);
  };
}

export const poolKernels: Record<string, KernelGenerator> = {
  MaxPool: windowPool('max', 128) as KernelGenerator,
  AveragePool: windowPool('avg', 128) as KernelGenerator,
  LpPool: windowPool('lp', 128) as KernelGenerator,
  GlobalAveragePool: globalPool('avg') as KernelGenerator,
  GlobalMaxPool: globalPool('max') as KernelGenerator,
  GlobalLpPool: globalPool('lp') as KernelGenerator,
};
