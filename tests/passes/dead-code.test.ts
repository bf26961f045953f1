// eliminateDeadCode and eliminateIdentities: unreachable nodes and unread initializers go; values a
// subgraph reads count as used; Identity disappears unless its output is a graph output.

import { describe, expect, it } from 'vitest';
import type { AttrValue, Graph, Model, Node } from '../../runtime/ir/graph';
import { eliminateDeadCode, eliminateIdentities } from '../../runtime/passes';
import { tensor } from '../../runtime/tensor';
import { f32, load, ops, rand, relDiff, runReference } from './helpers';

const node = (op: string, inputs: string[], outputs: string[], attrs: Record<string, AttrValue> = {}): Node =>
  ({ name: outputs[0], op, domain: '', inputs, outputs, attrs: new Map(Object.entries(attrs)) });
const graph = (g: Partial<Graph> & Pick<Graph, 'nodes'>): Graph =>
  ({ name: 'g', inputs: [], outputs: [], initializers: new Map(), valueInfo: new Map(), ...g });
const t = (name: string) => ({ name, type: null });

describe('eliminateDeadCode', () => {
  it('drops nodes that reach no output and initializers nobody reads', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [3] }],
      outputs: [{ name: 'y', type: 'float32', dims: [3] }],
      initializers: { used: f32([3], [1, 2, 3]), unused: f32([1], [7]), deadOnly: f32([1], [2]) },
      nodes: [
        { op: 'Mul', inputs: ['x', 'deadOnly'], outputs: ['dead1'] },
        { op: 'Relu', inputs: ['dead1'], outputs: ['dead2'] },
        { op: 'Add', inputs: ['x', 'used'], outputs: ['y'] },
      ],
    });
    const out = eliminateDeadCode(model);
    expect(ops(out)).toEqual(['Add']);
    expect([...out.graph.initializers.keys()]).toEqual(['used']);
    expect(out.graph.inputs).toEqual(model.graph.inputs);
    expect(model.graph.nodes.length).toBe(3); // pure
  });

  it('keeps nodes whose outputs only a subgraph reads', () => {
    const thenBranch = graph({ nodes: [node('Identity', ['h'], ['t'])], outputs: [t('t')] });
    const elseBranch = graph({ nodes: [node('Neg', ['x'], ['e'])], outputs: [t('e')] });
    const model: Model = {
      opsets: new Map([['', 17]]), producer: 'test', irVersion: 8, functions: new Map(),
      graph: graph({
        inputs: [t('x'), t('c')],
        outputs: [t('y')],
        nodes: [
          node('Relu', ['x'], ['h']),
          node('Sigmoid', ['x'], ['unused']),
          node('If', ['c'], ['y'], { then_branch: { kind: 'graph', value: thenBranch }, else_branch: { kind: 'graph', value: elseBranch } }),
        ],
      }),
    };
    expect(ops(eliminateDeadCode(model))).toEqual(['Relu', 'If']);
    // and the Identity-elimination pass leaves a captured value alone
    const withId: Model = { ...model, graph: { ...model.graph, nodes: [node('Identity', ['x'], ['h']), model.graph.nodes[2]] } };
    expect(ops(eliminateIdentities(withId))).toEqual(['Identity', 'If']);
    const x = rand([4]);
    const c = tensor('bool', [], Uint8Array.of(1));
    const want = runReference(model, { x, c }).get('y')!;
    expect(relDiff(want, runReference(eliminateDeadCode(model), { x, c }).get('y')!)).toBe(0);
  });
});

describe('eliminateIdentities', () => {
  it('renames consumers to read the input, keeping an Identity that writes a graph output', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [3] }],
      outputs: [{ name: 'y', type: 'float32', dims: [3] }, { name: 'z', type: 'float32', dims: [3] }],
      nodes: [
        { op: 'Identity', inputs: ['x'], outputs: ['a'] },
        { op: 'Identity', inputs: ['a'], outputs: ['b'] },
        { op: 'Relu', inputs: ['b'], outputs: ['y'] },
        { op: 'Identity', inputs: ['y'], outputs: ['z'] },
      ],
    });
    const out = eliminateIdentities(model);
    expect(out.graph.nodes.map((n) => `${n.op}(${n.inputs.join()})`)).toEqual(['Relu(x)', 'Identity(y)']);
    const x = rand([3]);
    const want = runReference(model, { x });
    const got = runReference(out, { x });
    expect(relDiff(want.get('y')!, got.get('y')!)).toBe(0);
    expect(relDiff(want.get('z')!, got.get('z')!)).toBe(0);
  });

  it('treats an inference Dropout (no mask, no training_mode) as Identity', () => {
    const model = load({
      inputs: [{ name: 'x', type: 'float32', dims: [3] }],
      outputs: [{ name: 'y', type: 'float32', dims: [3] }],
      nodes: [
        { op: 'Dropout', inputs: ['x'], outputs: ['d'] },
        { op: 'Relu', inputs: ['d'], outputs: ['y'] },
      ],
    });
    expect(ops(eliminateIdentities(model))).toEqual(['Relu']);
  });
});
