// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (log-softmax over axis 1, then NLL): one
// workgroup strides over the target positions, each computing its loss (and SCE's log_prob row);
// reduction sum/mean folds loss and weight by workgroup tree sums.

import type { Binding, KernelGenerator, LowerArgs, Lowering } from '../kernel';
import { scalarOf } from '../storage';
import { declareBuffers, i32Lit, usesSubgroups, type BufferDecl } from '../wgsl';
import { fusedActivation } from './activation';
import { helpersFor } from './activation-helpers';
import { subgroupEntry, workgroupReduce } from './reduce-template';

interface LossAttrs {
  readonly reduction: 'none' | 'sum' | 'mean';
  readonly ignoreIndex: number | undefined;
}

const WIDTH = 256;

const lossKernel = (op: 'NegativeLogLikelihoodLoss' | 'SoftmaxCrossEntropyLoss') => (args: LowerArgs<LossAttrs>): Lowering => {
  const { attrs, inputs, node, outputs } = args;
  const [x, t, w] = inputs;
  if (!x || !t || scalarOf(x.dtype) !== 'f32' || scalarOf(t.dtype) !== 'i32' || x.dims.length < 2 || (w && scalarOf(w.dtype) !== 'f32')) {
    return { kind: 'unsupported', reason: `${op} has no GPU kernel for ${x?.dtype} scores and ${t?.dtype} targets` };
  }
  if (fusedActivation(node)) return { kind: 'unsupported', reason: `${op} takes no fused activation` };
  const [n, c] = x.dims;
  const d = x.dims.slice(2).reduce((a, b) => a * b, 1);
  const sce = op === 'SoftmaxCrossEntropyLoss';
  const logProb = sce && !!node.outputs[1] && !!outputs[1];
  const decls: BufferDecl[] = [{ name: 'k_x', type: 'f32', access: 'read' }, { name: 'k_t', type: 'i32', access: 'read' }];
  const bindings: Binding[] = [{ kind: 'input', index: 0 }, { kind: 'input', index: 1 }];
  if (w) {
    decls.push({ name: 'k_w', type: 'f32', access: 'read' });
    bindings.push({ kind: 'input', index: 2 });
  }
  decls.push({ name: 'k_out', type: 'f32', access: 'read_write' });
  bindings.push({ kind: 'output', index: 0 });
  if (logProb) {
    decls.push({ name: 'k_logp', type: 'f32', access: 'read_write' });
    bindings.push({ kind: 'output', index: 1 });
  }
  const row = (j: string) => `(i * ${c}u + ${j}) * ${d}u + k`;
  const ignored = attrs.ignoreIndex === undefined ? 'false' : `cls == ${i32Lit(attrs.ignoreIndex)}`;
  const lse = sce
    ? `    var m = k_inf(-1.0f);
    for (var j = 0u; j < ${c}u; j = j + 1u) { m = k_fmax(m, k_x[${row('j')}]); }
    var se = 0.0f;
    for (var j = 0u; j < ${c}u; j = j + 1u) { se = se + exp(k_x[${row('j')}] - m); }
    let lse = m + log(se);
${logProb ? `    for (var j = 0u; j < ${c}u; j = j + 1u) { k_logp[${row('j')}] = k_x[${row('j')}] - lse; }\n` : ''}`
    : '    let lse = 0.0f;\n';
  const store = attrs.reduction === 'none' ? '    k_out[p] = loss;' : '    ls = ls + loss;\n    ws = ws + wt;';
  const finish = attrs.reduction === 'none' ? ''
    : `  let k_ls = k_wg_sum(ls, lid);
  let k_ws = k_wg_sum(ws, lid);
  if (lid == 0u) { k_out[0] = ${attrs.reduction === 'sum' ? 'k_ls' : 'k_ls / k_ws'}; }`;
  const shared = attrs.reduction === 'none' ? '' : workgroupReduce('sum', 'f32', WIDTH, (a, b) => `${a} + ${b}`, args.subgroups);
  const sg = subgroupEntry(usesSubgroups(shared));
  const main = `${sg.decls}@compute @workgroup_size(${WIDTH})
fn main(@builtin(local_invocation_index) lid: u32${sg.params}) {
${sg.init}  var ls = 0.0f;
  var ws = 0.0f;
  for (var p = lid; p < ${n * d}u; p = p + ${WIDTH}u) {
    let i = p / ${d}u;
    let k = p % ${d}u;
${lse}    let cls = k_t[p];
    let skip = ${ignored} || cls < 0i || cls >= ${i32Lit(c)};
    let ci = u32(select(cls, 0i, skip));
    let wt = select(${w ? 'k_w[ci]' : '1.0f'}, 0.0f, skip);
    let loss = select(-(k_x[${row('ci')}] - lse) * wt, 0.0f, skip);
${store}
  }
${finish}
}`;
  const code = `${declareBuffers(decls)}\n${shared}`;
  const wgsl = `${code}\n${helpersFor(code + main)}\n${main}`;
  return { kind: 'dispatch', dispatches: [{ wgsl, workgroups: [1, 1, 1], bindings, label: sce ? 'sceloss' : 'nllloss' }] };
};

export const lossKernels: Record<string, KernelGenerator> = {
  NegativeLogLikelihoodLoss: lossKernel('NegativeLogLikelihoodLoss') as KernelGenerator,
  SoftmaxCrossEntropyLoss: lossKernel('SoftmaxCrossEntropyLoss') as KernelGenerator,
};
