// Lowering: an optimized, shape-specialised model → a plan of steps, each a node lowered to calls
// into the kernel module, an alias (no kernel), a layout conversion the lowering inserted, or a
// CPU fallback on the reference kernel with the reason. Each kernel says how it takes layouts
// (conv and pools want channels-last, elementwise and copies work in either); the layout-choice
// pass (runtime/passes/layout-choice.ts) picks the layout of every step that may write either, and
// values are converted where a reader needs another layout (once per value and layout); graph
// outputs end plain.

import type { Model, Node, TensorType } from '../../ir/graph';
import { byteSize, toNumbers, type Tensor } from '../../tensor';
import { chooseLayouts, type LayoutStep, type StepLayouts } from '../../passes/layout-choice';
import { TYPE } from './codes';
import { usedNames } from '../../ir/uses';
import { normAxis } from '../../ops/broadcast';
import { useCounts } from '../../passes/graph-util';
import { lookupOp } from '../../ops/registry';
import { Attrs } from '../../ops/spec';
import type { Call, Const, LowerArgs, Lowering } from './kernel';
import { kernelFor } from './kernels';
import { convertLayout } from './kernels/layout';
import { expressionGroups, type ExpressionGroup } from './expression';
import { canBeChannelsLast, layoutFree, type Layout, type ValueDesc } from './layout';

export type Step =
  /** `node` carries the names of the values the calls read and write (conversions included) */
  | { readonly kind: 'wasm'; readonly node: Node; readonly calls: readonly Call[]; readonly consts: readonly Const[]; readonly scratch: number; readonly conversion: boolean }
  | { readonly kind: 'alias'; readonly node: Node }
  /** `reads`: the plain value holding each name the node reads (inputs and subgraph captures) */
  | { readonly kind: 'cpu'; readonly node: Node; readonly reads: ReadonlyMap<string, string>; readonly reason: string };

export interface Plan {
  readonly model: Model;
  /** values that live in linear memory, by name (conversions named `value::layout`) */
  readonly values: ReadonlyMap<string, ValueDesc>;
  readonly steps: readonly Step[];
  /** graph output → the (plain) value that holds it */
  readonly outputs: ReadonlyMap<string, string>;
}

/** A value's type when it can live in linear memory: a non-string tensor of known shape. */
export function residentType(t: TensorType | null | undefined): { dtype: ValueDesc['dtype']; dims: number[] } | undefined {
  if (!t || t.kind !== 'tensor' || !t.shape || t.dtype === 'string') return undefined;
  if (!t.shape.every((d): d is number => typeof d === 'number' && d >= 0)) return undefined;
  return { dtype: t.dtype, dims: t.shape as number[] };
}

export function lower(model: Model, types: ReadonlyMap<string, TensorType | null>): Plan {
  return new Lowerer(model, types).run();
}

/** Where a Concat input may be written by its producer: a channel slice of the Concat's output. */
interface Slice {
  readonly concat: string;
  readonly offset: number;
  readonly channels: number;
}

class Lowerer {
  private readonly values = new Map<string, ValueDesc>();
  /** value → its versions by layout (the one a node produced, plus conversions) */
  private readonly versions = new Map<string, Map<Layout, string>>();
  private readonly steps: Step[] = [];
  /** Concat inputs whose producers may write them straight into the Concat's output */
  private readonly slices = new Map<string, Slice>();
  /** values their producer did write into a Concat's output → that output */
  private readonly writtenInto = new Map<string, string>();
  /** types of the float32 stand-ins that promoted nodes compute in (see attemptPromoted) */
  private readonly overlay = new Map<string, TensorType>();
  /** constants converted to float32 for promoted nodes */
  private readonly promotedConstants = new Map<string, Tensor>();
  /** fused elementwise chains, by their last node; their other nodes are lowered with it */
  private groups = new Map<Node, ExpressionGroup>();
  private readonly grouped = new Set<Node>();
  /** per node (a fused group: its last node), how its kernel takes layouts and the layout chosen for it */
  private readonly layouts = new Map<Node, { readonly rule: StepLayouts; readonly chosen: Layout }>();

  constructor(
    private readonly model: Model,
    private readonly types: ReadonlyMap<string, TensorType | null>,
  ) {}

  private typeOf(name: string): TensorType | null | undefined {
    return this.overlay.get(name) ?? this.types.get(name);
  }

  run(): Plan {
    const g = this.model.graph;
    this.planSlices();
    this.groups = expressionGroups(this.model, this.types);
    for (const grp of this.groups.values()) grp.nodes.forEach((n) => this.grouped.add(n));
    this.chooseLayouts();
    for (const name of [...g.inputs.map((i) => i.name), ...g.initializers.keys()]) this.define(name, 'plain');
    for (const node of g.nodes) this.lowerNode(node);
    const outputs = new Map<string, string>();
    for (const o of g.outputs) outputs.set(o.name, this.values.has(o.name) ? this.version(o.name, 'plain') : o.name);
    return { model: this.model, values: this.values, steps: this.steps, outputs };
  }

  /**
   * Finds the inputs of channel Concats (1-D or 2-D spatial, float32) that a slicing kernel
   * produces for this Concat alone: they can be written in place, saving the copy.
   */
  private planSlices(): void {
    const g = this.model.graph;
    const uses = useCounts(g);
    const producer = new Map<string, Node>();
    for (const n of g.nodes) for (const o of n.outputs) if (o) producer.set(o, n);
    for (const node of g.nodes) {
      if (node.op !== 'Concat' || node.domain !== '') continue;
      const out = residentType(this.types.get(node.outputs[0]));
      if (!out || out.dtype !== 'float32' || (out.dims.length !== 3 && out.dims.length !== 4)) continue;
      const axis = node.attrs.get('axis');
      if (axis?.kind !== 'int' || normAxis('Concat', axis.value, out.dims.length) !== 1) continue;
      let offset = 0;
      for (const n of node.inputs) {
        const t = residentType(this.types.get(n));
        if (!t) break;
        const p = producer.get(n);
        const once = node.inputs.filter((x) => x === n).length === 1 && uses.get(n) === 1;
        if (p && once && p.outputs[0] === n && kernelFor(p.domain, p.op)?.slices) this.slices.set(n, { concat: node.outputs[0], offset, channels: out.dims[1] });
        offset += t.dims[1];
      }
    }
  }

  /**
   * Runs the layout-choice pass over the plan's steps as their kernels describe them: a fused
   * group reads its head in the layout it writes; a node without a kernel reads and writes plain.
   */
  private chooseLayouts(): void {
    const g = this.model.graph;
    const steps: LayoutStep[] = [];
    const owners: Node[] = [];
    for (const node of g.nodes) {
      const group = this.groups.get(node);
      if (!group && this.grouped.has(node)) continue;
      steps.push(group
        ? { inputs: [group.head], outputs: [node.outputs[0]], layouts: { inputs: ['out'], output: 'free' } }
        : { inputs: node.inputs, outputs: node.outputs, layouts: this.ruleOf(node) });
      owners.push(node);
    }
    const bytes = new Map<string, number>();
    for (const [name, t] of this.types) {
      const r = residentType(t);
      if (r && !layoutFree(r.dims)) bytes.set(name, byteSize(r.dtype) * r.dims.reduce((a, b) => a * b, 1));
    }
    const choice = chooseLayouts({ steps, bytes, outputs: g.outputs.map((o) => o.name) });
    owners.forEach((node, i) => this.layouts.set(node, { rule: steps[i].layouts, chosen: choice.steps[i] }));
  }

  /** How the node's kernel takes layouts, from its dims and attributes (all plain without a kernel). */
  private ruleOf(node: Node): StepLayouts {
    const plain: StepLayouts = { inputs: node.inputs.map(() => 'plain'), output: 'plain' };
    const kernel = kernelFor(node.domain, node.op);
    const spec = lookupOp(node.domain, node.op);
    const outputs = node.outputs.map((n) => residentType(this.types.get(n)));
    if (!kernel?.layouts || !spec || outputs.some((o, i) => node.outputs[i] && !o)) return plain;
    const opset = this.model.opsets.get(node.domain) ?? this.model.opsets.get('') ?? 1;
    const inPlace = node.inputs.map((n) => !!n && this.slices.get(n)?.concat === node.outputs[0]);
    try {
      return kernel.layouts({
        node,
        attrs: spec.attrs(new Attrs(node.op, node.attrs), opset),
        opset,
        inputs: node.inputs.map((n): ValueDesc | undefined => {
          const t = n ? residentType(this.types.get(n)) : undefined;
          return t && { ...t, layout: 'plain' };
        }),
        outputs: outputs.map((o) => o ?? { dtype: 'float32', dims: [] }),
        constants: node.inputs.map((n) => (n ? this.model.graph.initializers.get(n) : undefined)),
        layout: 'plain',
        inPlace: inPlace.some(Boolean) ? inPlace : undefined,
      });
    } catch {
      return plain; // the lowering will say why the node has no kernel
    }
  }

  /** Records a value a node (or the graph) defines, when it can live in memory. */
  private define(name: string, layout: Layout): void {
    const t = residentType(this.typeOf(name));
    if (!t) return;
    this.values.set(name, { ...t, layout });
    this.versions.set(name, new Map([[layout, name]]));
  }

  /** The name of `name` in `layout`, converting it (once) if needed. */
  private version(name: string, layout: Layout): string {
    const have = this.versions.get(name);
    const own = this.values.get(name);
    if (!have || !own) return name; // not in memory: the host holds it
    const hit = have.get(layout);
    if (hit) return hit;
    if (layoutFree(own.dims)) return name; // the same bytes either way
    const [fromLayout, from] = have.entries().next().value as [Layout, string];
    const to = `${name}::${layout}`;
    const src = this.values.get(from)!;
    const lowering = convertLayout({ ...src, layout: fromLayout }, layout);
    const node: Node = { name: `${name}→${layout}`, op: 'LayoutConversion', domain: 'kiln', inputs: [from], outputs: [to], attrs: new Map() };
    this.steps.push({ kind: 'wasm', node, calls: lowering.calls, consts: lowering.consts, scratch: 0, conversion: true });
    this.values.set(to, { ...src, layout });
    have.set(layout, to);
    return to;
  }

  /** The value's description as a kernel reading it in `layout` sees it (after `version`). */
  private desc(name: string, layout: Layout): ValueDesc | undefined {
    const v = this.values.get(name);
    return v && { ...v, layout };
  }

  private cpu(node: Node, reason: string): void {
    const reads = new Map<string, string>();
    for (const n of usedNames(node)) reads.set(n, this.version(n, 'plain'));
    this.steps.push({ kind: 'cpu', node, reads, reason });
    for (const o of node.outputs) if (o) this.define(o, 'plain');
  }

  private lowerNode(node: Node): void {
    const group = this.groups.get(node);
    if (group) return this.emitExpression(group);
    if (this.grouped.has(node)) return; // lowered with its group's last node
    const why = this.attempt(node, node);
    if (why === undefined) return;
    if (this.attemptPromoted(node) === undefined) return;
    this.cpu(node, why);
  }

  /**
   * Half, bfloat16 and float64 nodes whose kernels take only float32: the same node computed in
   * float32 between casts (float32's precision is far inside the tolerance of those types' tests
   * and models). Returns why not, or undefined once the steps are emitted.
   */
  private attemptPromoted(node: Node): string | undefined {
    const wide = (n: string) => {
      const t = n ? this.typeOf(n) : undefined;
      return !!t && (t.dtype === 'float16' || t.dtype === 'bfloat16' || t.dtype === 'float64');
    };
    if (!node.inputs.some(wide) && !node.outputs.some(wide)) return 'no wider float to promote';
    if (node.inputs.some((n) => n && !this.values.has(n)) || node.outputs.some((n) => n && !residentType(this.typeOf(n)))) return 'not resident';
    const mark = this.steps.length;
    const made: string[] = [];
    const inputs = node.inputs.map((n) => {
      if (!wide(n)) return n;
      const to = `${n}::float32`;
      if (!this.values.has(to)) {
        const src = this.values.get(n)!;
        this.emitCast(n, src, to, 'float32', src.layout);
        made.push(to);
        const t = this.model.graph.initializers.get(n);
        if (t) this.promotedConstants.set(to, { type: 'float32', dims: t.dims, data: Float32Array.from(toNumbers(t)) });
      }
      return to;
    });
    const outputs = node.outputs.map((o) => {
      if (!wide(o)) return o;
      const t = residentType(this.typeOf(o))!;
      this.overlay.set(`${o}::float32`, { kind: 'tensor', dtype: 'float32', shape: t.dims });
      return `${o}::float32`;
    });
    const why = this.attempt({ ...node, inputs, outputs }, node);
    if (why !== undefined) {
      // undo: nothing of the promotion stays in the plan
      this.steps.length = mark;
      for (const v of made) {
        this.values.delete(v);
        this.versions.delete(v);
        this.promotedConstants.delete(v);
      }
      return why;
    }
    node.outputs.forEach((o, i) => {
      if (o === outputs[i]) return;
      const tmp = this.values.get(outputs[i])!;
      this.emitCast(outputs[i], tmp, o, residentType(this.typeOf(o))!.dtype, tmp.layout);
    });
    return undefined;
  }

  /** A step casting value `from` into a new value `to` of `dtype`, in the same layout. */
  private emitCast(from: string, src: ValueDesc, to: string, dtype: ValueDesc['dtype'], layout: Layout): void {
    const n = src.dims.reduce((a, b) => a * b, 1);
    const calls: Call[] = n > 0 ? [{ fn: 'cast', args: [TYPE[src.dtype]!, TYPE[dtype]!, { kind: 'input', index: 0 }, { kind: 'output', index: 0 }, n] }] : [];
    const node: Node = { name: `${from}→${dtype}`, op: 'Cast', domain: 'kiln', inputs: [from], outputs: [to], attrs: new Map() };
    this.steps.push({ kind: 'wasm', node, calls, consts: [], scratch: 0, conversion: true });
    this.values.set(to, { dtype, dims: src.dims, layout });
    this.versions.set(to, new Map([[layout, to]]));
  }

  /** Lowers the node (emitting its steps), or returns why it cannot run as kernels. `original`: the graph's node (it differs when promoted). */
  private attempt(node: Node, original: Node): string | undefined {
    const kernel = kernelFor(node.domain, node.op);
    if (!kernel) return `no WebAssembly kernel for ${node.domain ? node.domain + '.' : ''}${node.op}`;
    const spec = lookupOp(node.domain, node.op);
    if (!spec) return `unknown op ${node.op}`;
    // inputs already written into this node's output by their producers (a Concat's)
    const inPlace = node.inputs.map((n) => !!n && this.writtenInto.get(n) === node.outputs[0]);
    const missing = node.inputs.find((n, i) => n && !inPlace[i] && !this.values.has(n)) ?? node.outputs.find((n) => n && !residentType(this.typeOf(n)));
    if (missing !== undefined) return `the type or shape of '${missing}' is not known at compile time`;
    const opset = this.model.opsets.get(node.domain) ?? this.model.opsets.get('') ?? 1;
    const g = this.model.graph;
    const now = node.inputs.map((n, i): ValueDesc | undefined => (!n ? undefined : inPlace[i] ? { ...residentType(this.typeOf(n))!, layout: 'nhwc' } : this.values.get(n)));
    const slice = this.slices.get(node.outputs[0]);
    const outputs = node.outputs.map((n) => residentType(this.typeOf(n))!);
    const { rule, chosen } = this.layouts.get(original) ?? { rule: { inputs: [], output: 'plain' }, chosen: 'plain' };
    // the layout it writes (a free step's as chosen, where its outputs can be channels-last)
    const writes: Layout = rule.output !== 'free' ? rule.output : outputs.every((o, i) => !node.outputs[i] || canBeChannelsLast(o.dims)) ? chosen : 'plain';
    const want = (i: number): Layout => {
      const how = rule.inputs[i] ?? 'plain';
      return how === 'any' ? now[i]?.layout ?? 'plain' : how === 'out' ? writes : how;
    };
    const args: LowerArgs = {
      node,
      attrs: spec.attrs(new Attrs(node.op, node.attrs), opset),
      opset,
      inputs: node.inputs.map((n, i) => (!n ? undefined : inPlace[i] ? now[i] : this.desc(n, want(i)))),
      layout: writes,
      outputs,
      constants: node.inputs.map((n) => (n ? g.initializers.get(n) ?? this.promotedConstants.get(n) : undefined)),
      inPlace: inPlace.some(Boolean) ? inPlace : undefined,
    };
    let lowering: Lowering;
    try {
      // written straight into a Concat's output when the kernel can (else the Concat copies it)
      if (slice) {
        const sliced = kernel.lower({ ...args, outputSlice: { offset: slice.offset, channels: slice.channels } });
        if (sliced.kind === 'calls' && sliced.layouts?.[0] === 'nhwc') {
          this.emitSliced(node, sliced, slice, node.inputs.map((n, i) => (n ? this.version(n, want(i)) : '')));
          return undefined;
        }
      }
      lowering = kernel.lower(args);
    } catch (e) {
      lowering = { kind: 'unsupported', reason: (e as Error).message };
    }
    if (lowering.kind === 'unsupported') return `${node.op}: ${lowering.reason}`;
    const inputs = node.inputs.map((n, i) => (!n || inPlace[i] ? '' : this.version(n, want(i))));
    if (lowering.kind === 'alias') {
      const from = inputs[lowering.input];
      this.steps.push({ kind: 'alias', node: { ...node, inputs: [from], outputs: [node.outputs[0]] } });
      // the input as the kernel asked for it (a layout-free value may be recorded in either)
      this.define(node.outputs[0], lowering.layout ?? want(lowering.input));
      return undefined;
    }
    this.steps.push({ kind: 'wasm', node: { ...node, inputs }, calls: lowering.calls, consts: lowering.consts ?? [], scratch: lowering.scratch ?? 0, conversion: false });
    node.outputs.forEach((o, i) => o && !this.values.has(o) && this.define(o, lowering.layouts?.[i] ?? 'plain'));
    return undefined;
  }

  /** A fused elementwise chain: one expr_f32 call over its head, in the layout chosen for it. */
  private emitExpression(grp: ExpressionGroup): void {
    const last = grp.nodes[grp.nodes.length - 1];
    const out = last.outputs[0];
    const chosen = this.layouts.get(last)?.chosen ?? 'plain';
    const from = this.version(grp.head, canBeChannelsLast(this.values.get(grp.head)!.dims) ? chosen : 'plain');
    const head = this.values.get(from)!;
    const n = head.dims.reduce((a, b) => a * b, 1);
    const calls: Call[] = n === 0 ? [] : [{
      fn: 'expr_f32',
      args: [{ kind: 'input', index: 0 }, { kind: 'output', index: 0 }, n, { kind: 'const', index: 0 }, grp.count, { kind: 'const', index: 1 }, { kind: 'scratch' }, grp.out],
    }];
    const node: Node = { name: grp.nodes.map((m) => m.name).join('+'), op: grp.nodes.map((m) => m.op).join('+'), domain: 'kiln', inputs: [from], outputs: [out], attrs: new Map() };
    this.steps.push({ kind: 'wasm', node, calls, consts: [grp.program, grp.consts], scratch: 8 * 256 * 4, conversion: false });
    this.define(out, head.layout);
  }

  /** A step whose output 0 is a channel slice of a Concat's (channels-last) output. */
  private emitSliced(node: Node, lowering: Extract<Lowering, { kind: 'calls' }>, slice: Slice, inputs: string[]): void {
    const outputs = [slice.concat, ...node.outputs.slice(1)];
    this.steps.push({ kind: 'wasm', node: { ...node, inputs, outputs }, calls: lowering.calls, consts: lowering.consts ?? [], scratch: lowering.scratch ?? 0, conversion: false });
    if (!this.values.has(slice.concat)) this.define(slice.concat, 'nhwc');
    this.writtenInto.set(node.outputs[0], slice.concat);
  }
}
