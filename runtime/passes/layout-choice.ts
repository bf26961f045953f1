// Layout choice: which memory layout each value of a plan is stored in, channels-first ('plain',
// ONNX's own order) or channels-last ('nhwc'), so that the conversions the kernels force between
// them move the fewest bytes. A backend describes each step of its plan (a node, or a fused group)
// by what its kernel takes: per input, a layout it must read ('plain' or 'nhwc'), 'any' (it reads
// through strides whatever the layout) or 'out' (it reads in the layout it writes); and the layout
// of its outputs, fixed or 'free' (written in whichever the pass picks). A value is converted at
// most once per layout, however many steps read it there.
//
// With two layouts the best choice is an s-t minimum cut (the construction for binary energies of
// Kolmogorov and Zabih, "What energy functions can be minimized via graph cuts?", 2004): each free
// step is a vertex, source side 'plain', sink side 'nhwc'; a value's "needed in nhwc" and "needed
// in plain" are auxiliary vertices bound to the steps that read it by infinite edges, and pay its
// bytes when its own layout differs. The cut is exact where a greedy walk in node order is not:
// a step early in the graph writes the layout that readers much later want.

export type Layout = 'plain' | 'nhwc';

/** Ranks that may be stored channels-last: 1-D and 2-D spatial data ([N, C, W], [N, C, H, W]). */
export const canBeChannelsLast = (dims: readonly number[]): boolean => dims.length === 3 || dims.length === 4;

/** Whether both layouts of these dims are the same bytes (one channel, or one spatial position). */
export function layoutFree(dims: readonly number[]): boolean {
  if (!canBeChannelsLast(dims)) return true;
  const spatial = dims.slice(2).reduce((a, b) => a * b, 1);
  return dims[1] === 1 || spatial === 1 || dims[0] * dims[1] * spatial === 0;
}

/** How a step reads one input: in a fixed layout, through strides in any, or in its outputs' layout. */
export type InputLayout = Layout | 'any' | 'out';

export interface StepLayouts {
  /** per input of the step, in order */
  readonly inputs: readonly InputLayout[];
  /** the layout the step writes its outputs in, or 'free': the one the pass picks */
  readonly output: Layout | 'free';
}

export interface LayoutStep {
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly layouts: StepLayouts;
}

export interface LayoutProblem {
  /** in execution order; values no step defines (graph inputs, weights) are plain */
  readonly steps: readonly LayoutStep[];
  /** bytes of each value whose two layouts differ; values not here cost nothing to read in either */
  readonly bytes: ReadonlyMap<string, number>;
  /** values the plan must hand out plain (the graph's outputs) */
  readonly outputs: readonly string[];
}

export interface LayoutChoice {
  /** the layout each step writes, by step index (a free step's as chosen) */
  readonly steps: readonly Layout[];
  /** the conversions the choice implies: value → the layout it is converted to */
  readonly conversions: ReadonlyMap<string, Layout>;
  /** their cost: bytes, plus CONVERSION_OVERHEAD per conversion */
  readonly cost: number;
}

/**
 * What one conversion costs beyond its bytes (a call, its loop set-up): of two choices moving the
 * same bytes, the one with fewer conversions wins.
 */
export const CONVERSION_OVERHEAD = 256;

/** Chooses the free steps' layouts for the cheapest conversions (exact). */
export function chooseLayouts(problem: LayoutProblem): LayoutChoice {
  const { steps, bytes } = problem;
  const net = new FlowNetwork();
  const S = net.vertex(), T = net.vertex();
  // each free step's vertex; a value's layout is its producer's (a vertex or a constant)
  const stepVertex = steps.map((s) => (s.layouts.output === 'free' ? net.vertex() : -1));
  const producer = new Map<string, number>();
  steps.forEach((s, i) => s.outputs.forEach((o) => o && producer.set(o, i)));
  const layoutOf = (v: string): Layout | number => {
    const p = producer.get(v);
    if (p === undefined) return 'plain';
    const out = steps[p].layouts.output;
    return out === 'free' ? stepVertex[p] : out;
  };

  // what each value is read in: fixed demands, and the free steps reading it in their own layout
  const demands = new Map<string, { fixed: Set<Layout>; following: Set<number> }>();
  const demand = (v: string) => {
    let d = demands.get(v);
    if (!d) demands.set(v, (d = { fixed: new Set(), following: new Set() }));
    return d;
  };
  steps.forEach((s, i) => s.inputs.forEach((v, k) => {
    const how = s.layouts.inputs[k] ?? 'plain';
    if (!v || !bytes.has(v) || how === 'any') return;
    if (how !== 'out') demand(v).fixed.add(how);
    else if (s.layouts.output === 'free') demand(v).following.add(stepVertex[i]);
    else demand(v).fixed.add(s.layouts.output);
  }));
  for (const v of problem.outputs) if (bytes.has(v)) demand(v).fixed.add('plain');

  let constant = 0;
  for (const [v, d] of demands) {
    const cost = bytes.get(v)! + CONVERSION_OVERHEAD;
    const own = layoutOf(v);
    // "v is needed in nhwc": a cost when v is not nhwc itself
    if (own !== 'nhwc') {
      if (d.fixed.has('nhwc')) {
        if (own === 'plain') constant += cost;
        else net.edge(own, T, cost); // paid when its producer writes plain
      } else if (d.following.size) {
        const need = net.vertex(); // sink side: some reader runs in nhwc
        for (const u of d.following) net.edge(need, u, INF);
        net.edge(own === 'plain' ? S : own, need, cost);
      }
    }
    // "v is needed in plain": a cost when v is not plain itself
    if (own !== 'plain') {
      if (d.fixed.has('plain')) {
        if (own === 'nhwc') constant += cost;
        else net.edge(S, own, cost); // paid when its producer writes nhwc
      } else if (d.following.size) {
        const need = net.vertex(); // source side: some reader runs plain
        for (const u of d.following) net.edge(u, need, INF);
        net.edge(need, own === 'nhwc' ? T : own, cost);
      }
    }
  }
  net.maxFlow(S, T);
  // the smallest sink side: a step writes channels-last only where that saves something
  const nhwc = net.reaching(T);
  const chosen = steps.map((s, i): Layout => (s.layouts.output === 'free' ? (nhwc.has(stepVertex[i]) ? 'nhwc' : 'plain') : s.layouts.output));
  return { steps: chosen, ...conversionsOf(problem, chosen) };
}

/** The conversions a choice of step layouts implies, and their cost. */
export function conversionsOf(problem: LayoutProblem, chosen: readonly Layout[]): Pick<LayoutChoice, 'conversions' | 'cost'> {
  const { steps, bytes } = problem;
  const own = new Map<string, Layout>();
  steps.forEach((s, i) => s.outputs.forEach((o) => o && own.set(o, chosen[i])));
  const conversions = new Map<string, Layout>();
  const read = (v: string, layout: Layout) => {
    if (v && bytes.has(v) && (own.get(v) ?? 'plain') !== layout) conversions.set(v, layout);
  };
  steps.forEach((s, i) => s.inputs.forEach((v, k) => {
    const how = s.layouts.inputs[k] ?? 'plain';
    if (how !== 'any') read(v, how === 'out' ? chosen[i] : how);
  }));
  problem.outputs.forEach((v) => read(v, 'plain'));
  let cost = 0;
  for (const v of conversions.keys()) cost += bytes.get(v)! + CONVERSION_OVERHEAD;
  return { conversions, cost };
}

/** An edge capacity no cut pays: larger than any plan's bytes, and finite so residuals stay numbers. */
const INF = 2 ** 52;

/** A flow network with Dinic's maximum flow (the graphs here have hundreds of vertices). */
class FlowNetwork {
  private readonly to: number[] = [];
  private readonly cap: number[] = [];
  private readonly adj: number[][] = [];

  vertex(): number {
    this.adj.push([]);
    return this.adj.length - 1;
  }

  edge(u: number, v: number, c: number): void {
    if (u === v || c <= 0) return;
    this.adj[u].push(this.to.length);
    this.to.push(v);
    this.cap.push(c);
    this.adj[v].push(this.to.length);
    this.to.push(u);
    this.cap.push(0);
  }

  maxFlow(s: number, t: number): number {
    let flow = 0;
    for (;;) {
      const level = this.levels(s);
      if (level[t] < 0) return flow;
      const next = this.adj.map(() => 0);
      for (let f = this.push(s, t, Infinity, level, next); f > 0; f = this.push(s, t, Infinity, level, next)) flow += f;
    }
  }

  /** Vertices that can still send flow to `t` (the minimal sink side of a minimum cut). */
  reaching(t: number): Set<number> {
    const seen = new Set([t]);
    const queue = [t];
    while (queue.length) {
      const v = queue.pop()!;
      // an edge u → v with residual capacity is the reverse of one of v's entries
      for (const e of this.adj[v]) {
        const u = this.to[e];
        if (!seen.has(u) && this.cap[e ^ 1] > 0) {
          seen.add(u);
          queue.push(u);
        }
      }
    }
    return seen;
  }

  private levels(s: number): number[] {
    const level = this.adj.map(() => -1);
    level[s] = 0;
    const queue = [s];
    for (let i = 0; i < queue.length; i++) {
      const u = queue[i];
      for (const e of this.adj[u]) {
        if (this.cap[e] > 0 && level[this.to[e]] < 0) {
          level[this.to[e]] = level[u] + 1;
          queue.push(this.to[e]);
        }
      }
    }
    return level;
  }

  private push(u: number, t: number, limit: number, level: number[], next: number[]): number {
    if (u === t) return limit;
    for (; next[u] < this.adj[u].length; next[u]++) {
      const e = this.adj[u][next[u]];
      const v = this.to[e];
      if (this.cap[e] <= 0 || level[v] !== level[u] + 1) continue;
      const f = this.push(v, t, Math.min(limit, this.cap[e]), level, next);
      if (f > 0) {
        this.cap[e] -= f;
        this.cap[e ^ 1] += f;
        return f;
      }
    }
    return 0;
  }
}
