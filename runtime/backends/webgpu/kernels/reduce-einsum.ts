// Einsum as a direct sum of products: one invocation per output element loops over every
// combination of the summed labels; each operand's offset is its labels' coordinates times its
// strides (0 where a size-1 dim broadcasts). Fine for the small contractions Einsum carries in
// models; MatMul-shaped ones belong to the MatMul kernels.

import { parseEinsum } from '../../../ops/reduce/einsum';
import type { KernelGenerator } from '../kernel';
import { scalarOf } from '../storage';
import { declareBuffers, flatMain, grid1d, stridesOf } from '../wgsl';

/** WGSL declaring `c_<label>` for each label, decoded row-major from flat index `i` over `sizes`. */
function decode(i: string, labels: readonly string[], sizes: ReadonlyMap<string, number>, id: (l: string) => string): string {
  const dims = labels.map((l) => sizes.get(l) ?? 1);
  const strides = stridesOf(dims);
  return labels.map((l, k) => `    let ${id(l)} = (${i} / ${strides[k]}u) % ${Math.max(dims[k], 1)}u;`).join('\n');
}

const einsumKernel: KernelGenerator<{ equation: string }> = ({ attrs, inputs, outputs }) => {
  const xs = inputs.filter((x): x is NonNullable<typeof x> => x !== undefined);
  const s = xs[0] && scalarOf(xs[0].dtype);
  if (!s || xs.some((x) => scalarOf(x.dtype) !== s)) return { kind: 'unsupported', reason: 'Einsum needs operands of one GPU type' };
  const plan = parseEinsum(attrs.equation, xs.map((x) => x.dims.length));
  const sizes = new Map<string, number>();
  plan.inputs.forEach((labels, k) => labels.forEach((l, a) => sizes.set(l, Math.max(sizes.get(l) ?? 1, xs[k].dims[a]))));
  const id = (l: string) => `c_${l.replace('#', 'e')}`;
  const summed = [...sizes.keys()].filter((l) => !plan.output.includes(l));
  const total = summed.reduce((p, l) => p * (sizes.get(l) ?? 1), 1);
  const n = outputs[0].dims.reduce((a, b) => a * b, 1);
  const offsets = plan.inputs.map((labels, k) => {
    const st = stridesOf(xs[k].dims);
    const terms = labels.map((l, a) => (xs[k].dims[a] === 1 ? '' : `${id(l)} * ${st[a]}u`)).filter(Boolean);
    return terms.join(' + ') || '0u';
  });
  const product = offsets.map((o, k) => `k_in${k}[${o}]`).join(' * ');
  const zero = { f32: '0.0f', i32: '0i', u32: '0u' }[s];
  const body = `${decode('idx', plan.output, sizes, id).replace(/^ {4}/gm, '  ')}
  var acc: ${s} = ${zero};
  for (var j = 0u; j < ${total}u; j = j + 1u) {
${decode('j', summed, sizes, id)}
    acc = acc + ${product};
  }
  k_out[idx] = acc;`;
  const wgsl = `${declareBuffers([
    ...xs.map((_, k) => ({ name: `k_in${k}`, type: s, access: 'read' as const })),
    { name: 'k_out', type: s, access: 'read_write' },
  ])}\n${flatMain(n, body)}`;
  const bindings = [...xs.map((_, index) => ({ kind: 'input' as const, index })), { kind: 'output' as const, index: 0 }];
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: grid1d(n), bindings, label: 'einsum' }] };
};

export const einsumKernels: Record<string, KernelGenerator> = { Einsum: einsumKernel as KernelGenerator };
