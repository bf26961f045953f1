// chooseLayouts: the cases a greedy walk in node order gets wrong, conversions counted once per
// value and layout, graph outputs handed out plain, and over random plans the exact optimum
// (every assignment of the free steps tried).

import { describe, expect, it } from 'vitest';
import { chooseLayouts, CONVERSION_OVERHEAD, conversionsOf, type InputLayout, type Layout, type LayoutProblem, type LayoutStep } from '../../runtime/passes/layout-choice';

const step = (inputs: string[], outputs: string[], ins: InputLayout[], output: Layout | 'free'): LayoutStep => ({ inputs, outputs, layouts: { inputs: ins, output } });
/** A conv-like step: data channels-last, weights plain, output channels-last. */
const conv = (x: string, y: string) => step([x, 'w'], [y], ['nhwc', 'plain'], 'nhwc');
/** An elementwise step: reads its inputs in the layout it writes. */
const eltwise = (xs: string[], y: string) => step(xs, [y], xs.map(() => 'out'), 'free');
/** A copying step (Pad, Slice): reads through strides, writes either layout. */
const copy = (x: string, y: string) => step([x], [y], ['any'], 'free');

const sized = (steps: LayoutStep[], outputs: string[], size = 1000): LayoutProblem => ({
  steps, outputs,
  bytes: new Map([...new Set(['x', ...steps.flatMap((s) => s.outputs)])].map((v) => [v, size])),
});

describe('chooseLayouts', () => {
  it('runs elementwise steps between convs channels-last, converting only the input and the output', () => {
    const p = sized([conv('x', 'a'), eltwise(['a'], 'b'), conv('b', 'c'), eltwise(['c', 'b'], 'd'), conv('d', 'e'), eltwise(['e'], 'y')], ['y']);
    const choice = chooseLayouts(p);
    expect(choice.steps).toEqual(['nhwc', 'nhwc', 'nhwc', 'nhwc', 'nhwc', 'plain']);
    expect([...choice.conversions]).toEqual([['x', 'nhwc'], ['e', 'plain']]);
    expect(choice.cost).toBe(2 * (1000 + CONVERSION_OVERHEAD));
  });

  it('has a copy write the layout its readers want (a channel Pad before a residual add)', () => {
    // conv → Pad (channels) → Add with another conv's output → conv: the Pad writes channels-last
    const p = sized([conv('x', 'a'), copy('a', 'p'), conv('a', 'b'), eltwise(['p', 'b'], 's'), conv('s', 'y')], []);
    const choice = chooseLayouts(p);
    expect(choice.steps[1]).toBe('nhwc');
    expect([...choice.conversions.keys()]).toEqual(['x']);
  });

  it('decides an early step by readers far later (where a walk in node order guesses)', () => {
    // x is read by a copy whose output passes through three elementwise steps into a conv
    const p = sized([copy('x', 'a'), eltwise(['a'], 'b'), eltwise(['b'], 'c'), eltwise(['c'], 'd'), conv('d', 'y')], []);
    const choice = chooseLayouts(p);
    expect(choice.steps).toEqual(['nhwc', 'nhwc', 'nhwc', 'nhwc', 'nhwc']);
    expect(choice.conversions.size).toBe(0);
  });

  it('converts a value once per layout however many steps read it there', () => {
    const p = sized([conv('x', 'a'), step(['a'], ['b'], ['plain'], 'plain'), step(['a'], ['c'], ['plain'], 'plain'), eltwise(['a'], 'd')], ['b', 'c', 'd']);
    const choice = chooseLayouts(p);
    expect([...choice.conversions]).toEqual([['x', 'nhwc'], ['a', 'plain']]);
    expect(choice.steps[3]).toBe('plain'); // it reads a's plain version, made for the others anyway
  });

  it('weighs bytes: a big value stays put and the small one is converted', () => {
    const p: LayoutProblem = {
      steps: [conv('x', 'big'), step(['x'], ['small'], ['plain'], 'plain'), eltwise(['big', 'small'], 'y'), conv('y', 'z')],
      outputs: [],
      bytes: new Map([['x', 10], ['big', 5000], ['small', 100], ['y', 5000], ['z', 5000]]),
    };
    const choice = chooseLayouts(p);
    expect(choice.steps[2]).toBe('nhwc');
    expect([...choice.conversions]).toEqual([['x', 'nhwc'], ['small', 'nhwc']]);
  });

  it('prefers plain where both layouts cost the same, and values without bytes cost nothing', () => {
    const p: LayoutProblem = { steps: [eltwise(['x'], 'a'), copy('a', 'b')], outputs: ['b'], bytes: new Map() };
    expect(chooseLayouts(p)).toEqual({ steps: ['plain', 'plain'], conversions: new Map(), cost: 0 });
  });

  it('finds the optimum of random plans (every assignment of their free steps tried)', () => {
    let seed = 7;
    const rand = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    for (let trial = 0; trial < 200; trial++) {
      const values = ['x'];
      const steps: LayoutStep[] = [];
      const bytes = new Map<string, number>([['x', 1 + Math.floor(rand() * 1000)]]);
      const n = 3 + Math.floor(rand() * 10);
      for (let i = 0; i < n; i++) {
        const inputs = Array.from({ length: 1 + Math.floor(rand() * 3) }, () => pick(values));
        const output = pick<Layout | 'free'>(['free', 'free', 'nhwc', 'plain']);
        const ins = inputs.map(() => pick<InputLayout>(['out', 'out', 'any', 'nhwc', 'plain']));
        const v = `v${i}`;
        steps.push(step(inputs, [v], ins, output));
        values.push(v);
        if (rand() < 0.85) bytes.set(v, 1 + Math.floor(rand() * 1000));
      }
      const p: LayoutProblem = { steps, bytes, outputs: values.filter(() => rand() < 0.2) };
      const free = steps.flatMap((s, i) => (s.layouts.output === 'free' ? [i] : []));
      let best = Infinity;
      for (let mask = 0; mask < 1 << free.length; mask++) {
        const chosen = steps.map((s, i): Layout => (s.layouts.output === 'free' ? ((mask >> free.indexOf(i)) & 1 ? 'nhwc' : 'plain') : s.layouts.output));
        best = Math.min(best, conversionsOf(p, chosen).cost);
      }
      const choice = chooseLayouts(p);
      expect(choice.cost, `trial ${trial}`).toBe(best);
      expect(conversionsOf(p, choice.steps).cost).toBe(choice.cost);
    }
  });
});
