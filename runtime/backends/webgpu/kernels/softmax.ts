// Softmax, LogSoftmax and Hardmax: one workgroup per row (the axis, or before opset 13 every
// trailing axis from `axis` on, the 2-D coercion), max and sum by workgroup tree reductions.

import { normAxis } from '../../../ops/broadcast';
import type { KernelGenerator } from '../kernel';
import { scalarOf } from '../storage';
import { declareBuffers } from '../wgsl';
import { fusedActivation } from './activation';
import { groupDispatch, groupLayout, strided, workgroupArgReduce, workgroupFor, workgroupReduce } from './reduce-template';

interface SoftmaxAttrs {
  readonly axis: number;
  readonly coerce2d: boolean;
}

const softmaxKernel = (op: 'Softmax' | 'LogSoftmax' | 'Hardmax'): KernelGenerator<SoftmaxAttrs> => ({ node, attrs, inputs, subgroups }) => {
  const x = inputs[0];
  if (!x || scalarOf(x.dtype) !== 'f32') return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${x?.dtype}` };
  if (fusedActivation(node)) return { kind: 'unsupported', reason: `${op} takes no fused activation` };
  const rank = x.dims.length;
  const axis = rank === 0 ? 0 : normAxis(op, attrs.axis, rank);
  const axes = attrs.coerce2d ? x.dims.map((_, i) => i).filter((i) => i >= axis) : rank === 0 ? [] : [axis];
  const layout = groupLayout(x.dims, axes);
  const width = workgroupFor(layout.len);
  const buffers = declareBuffers([{ name: 'k_in', type: 'f32', access: 'read' }, { name: 'k_out', type: 'f32', access: 'read_write' }]);
  const at = `base + ${layout.offset('j')}`;
  if (op === 'Hardmax') {
    const body = `  var bv = 0.0f;
  var bi = 0xffffffffu;
${strided(layout.len, width, `    let x = k_in[${at}];\n    if (k_take(bv, bi, x, j)) { bv = x; bi = j; }`)}
  let best = k_wg_arg(bv, bi, lid);
${strided(layout.len, width, `    k_out[${at}] = select(0.0f, 1.0f, j == best);`)}`;
    return groupDispatch('hardmax', layout, width, `${buffers}\n${workgroupArgReduce('f32', width, '>', false)}`, body);
  }
  const write = op === 'Softmax' ? `exp(k_in[${at}] - m) / s` : `k_in[${at}] - m - log(s)`;
  const body = `  var m = k_inf(-1.0f);
${strided(layout.len, width, `    m = k_fmax(m, k_in[${at}]);`)}
  m = k_wg_max(m, lid);
  var acc = 0.0f;
${strided(layout.len, width, `    acc = acc + exp(k_in[${at}] - m);`)}
  let s = k_wg_sum(acc, lid);
${strided(layout.len, width, `    k_out[${at}] = ${write};`)}`;
  const shared = `${workgroupReduce('max', 'f32', width, (a, b) => `k_fmax(${a}, ${b})`)}\n${workgroupReduce('sum', 'f32', width, (a, b) => `${a} + ${b}`, subgroups)}`;
  return groupDispatch(op.toLowerCase(), layout, width, `${buffers}\n${shared}`, body);
};

export const softmaxKernels: Record<string, KernelGenerator> = {
  Softmax: softmaxKernel('Softmax') as KernelGenerator,
  LogSoftmax: softmaxKernel('LogSoftmax') as KernelGenerator,
  Hardmax: softmaxKernel('Hardmax') as KernelGenerator,
};
