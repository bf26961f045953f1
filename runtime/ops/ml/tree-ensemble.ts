// TreeEnsemble (ai.onnx.ml opset 5): sums (or averages, mins, maxes) the leaf weights reached in
// each tree per target, then applies the post transform. Nodes compare one feature with a split
// value (<=, <, >=, >, ==, != or set membership); leaves are indexed separately from nodes.

import { fromNumbers, toNumbers, type Tensor } from '../../tensor';
import { type Attrs, defineOp, NotSupportedOpError, OpError } from '../spec';

const OP = 'TreeEnsemble';

interface TreeAttrs {
  readonly aggregate: number;
  readonly nTargets: number;
  readonly roots: readonly number[];
  readonly feature: readonly number[];
  readonly modes: Float64Array;
  readonly splits: Float64Array;
  readonly trueIds: readonly number[];
  readonly trueLeaf: readonly number[];
  readonly falseIds: readonly number[];
  readonly falseLeaf: readonly number[];
  readonly missingTrue: readonly number[];
  /** membership set per node (BRANCH_MEMBER nodes only) */
  readonly members: (Set<number> | undefined)[];
  readonly leafTarget: readonly number[];
  readonly leafWeight: Float64Array;
  readonly post: number;
}

const tensorNums = (a: Attrs, name: string): Float64Array => {
  const t = a.tensor(name);
  if (!t) throw new OpError(OP, `attribute '${name}' is required`);
  return toNumbers(t);
};

function parse(a: Attrs): TreeAttrs {
  const modes = tensorNums(a, 'nodes_modes');
  const req = (n: string) => {
    const v = a.ints(n);
    if (!v) throw new OpError(OP, `attribute '${n}' is required`);
    return v;
  };
  // membership values: one NaN-terminated group per BRANCH_MEMBER node, in node order
  const mv = a.tensor('membership_values') ? tensorNums(a, 'membership_values') : new Float64Array(0);
  const members: (Set<number> | undefined)[] = [];
  let p = 0;
  for (let i = 0; i < modes.length; i++) {
    if (modes[i] !== 6) continue;
    const s = new Set<number>();
    while (p < mv.length && !Number.isNaN(mv[p])) s.add(mv[p++]);
    p++;
    members[i] = s;
  }
  return {
    aggregate: a.int('aggregate_function', 1),
    nTargets: a.int('n_targets', 1),
    roots: req('tree_roots'),
    feature: req('nodes_featureids'),
    modes,
    splits: tensorNums(a, 'nodes_splits'),
    trueIds: req('nodes_truenodeids'),
    trueLeaf: req('nodes_trueleafs'),
    falseIds: req('nodes_falsenodeids'),
    falseLeaf: req('nodes_falseleafs'),
    missingTrue: a.ints('nodes_missing_value_tracks_true', []),
    members,
    leafTarget: req('leaf_targetids'),
    leafWeight: tensorNums(a, 'leaf_weights'),
    post: a.int('post_transform', 0),
  };
}

function goesTrue(at: TreeAttrs, node: number, v: number): boolean {
  if (Number.isNaN(v) && at.missingTrue[node]) return true;
  const s = at.splits[node];
  switch (at.modes[node]) {
    case 0: return v <= s;
    case 1: return v < s;
    case 2: return v >= s;
    case 3: return v > s;
    case 4: return v === s;
    case 5: return v !== s;
    case 6: return at.members[node]?.has(v) ?? false;
    default: throw new OpError(OP, `unknown node mode ${at.modes[node]}`);
  }
}

/** The leaf index reached from `root` for the features row x[off..]. */
function walk(at: TreeAttrs, root: number, x: Float64Array, off: number): number {
  let node = root;
  for (let guard = 0; guard <= at.modes.length; guard++) {
    const t = goesTrue(at, node, x[off + at.feature[node]]);
    const next = t ? at.trueIds[node] : at.falseIds[node];
    if (t ? at.trueLeaf[node] : at.falseLeaf[node]) return next;
    node = next;
  }
  throw new OpError(OP, `tree from root ${root} has a cycle`);
}

function postTransform(row: Float64Array, post: number): void {
  if (post === 0) return;
  if (post === 1 || post === 2) {
    // SOFTMAX; SOFTMAX_ZERO leaves exact zeros at zero
    let m = -Infinity;
    for (const v of row) m = Math.max(m, v);
    let s = 0;
    for (let i = 0; i < row.length; i++) {
      const e = post === 2 && row[i] === 0 ? 0 : Math.exp(row[i] - m);
      row[i] = e;
      s += e;
    }
    for (let i = 0; i < row.length; i++) row[i] /= s;
  } else if (post === 3) for (let i = 0; i < row.length; i++) row[i] = 1 / (1 + Math.exp(-row[i]));
  else throw new NotSupportedOpError(OP, `post_transform ${post} is not supported`);
}

export const treeEnsembleSpec = defineOp<TreeAttrs>({
  op: OP,
  domain: 'ai.onnx.ml',
  attrs: parse,
  infer: (inputs, at) => [inputs[0] ? { kind: 'tensor', dtype: inputs[0].dtype, shape: [inputs[0].shape?.[0] ?? null, at.nTargets] } : null],
  run: (inputs, at) => {
    const xT: Tensor | undefined = inputs[0];
    if (!xT) throw new OpError(OP, `input 'X' is required`);
    const x = toNumbers(xT);
    const n = xT.dims.length === 1 ? 1 : xT.dims[0];
    const f = n ? x.length / n : 0;
    const nt = at.nTargets;
    const out = new Float64Array(n * nt);
    for (let r = 0; r < n; r++) {
      const acc = new Float64Array(nt).fill(at.aggregate === 2 ? Infinity : at.aggregate === 3 ? -Infinity : 0);
      const hit = new Uint8Array(nt);
      for (const root of at.roots) {
        const leaf = walk(at, root, x, r * f);
        const tgt = at.leafTarget[leaf], w = at.leafWeight[leaf];
        hit[tgt] = 1;
        if (at.aggregate === 2) acc[tgt] = Math.min(acc[tgt], w);
        else if (at.aggregate === 3) acc[tgt] = Math.max(acc[tgt], w);
        else acc[tgt] += w;
      }
      for (let t = 0; t < nt; t++) {
        if (!hit[t]) acc[t] = 0;
        else if (at.aggregate === 0) acc[t] /= at.roots.length;
      }
      postTransform(acc, at.post);
      out.set(acc, r * nt);
    }
    return [fromNumbers(xT.type, [n, nt], out)];
  },
});
