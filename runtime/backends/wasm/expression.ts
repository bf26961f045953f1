// Expression fusion, at lowering time: chains of elementwise float32 ops over one tensor and
// scalar constants (PP-OCR's hard-swish written out as Add, Clip, Mul and Div between learnable
// scale-and-shift Mul/Add pairs; SiLU-like tails; …) become one kernel call that reads the tensor
// once and writes the result once (assembly/expr.ts), instead of one memory pass per op. A group
// has one tensor input (the head, used by any of its ops) and one output; every value inside it
// is read only inside it.

import type { Model, Node, TensorType } from '../../ir/graph';
import { usedNames } from '../../ir/uses';
import { epilogueOf } from './activation';
import { ACT } from './codes';

export interface ExpressionGroup {
  readonly head: string;
  /** in graph order; the last one's output is the group's output */
  readonly nodes: readonly Node[];
  /** the program for expr_f32: five i32s per instruction, the constants, the result register */
  readonly program: Int32Array;
  readonly count: number;
  readonly consts: Float32Array;
  readonly out: number;
}

const BINARY = new Set(['Add', 'Sub', 'Mul', 'Div']);
const UNARY = new Set(['Relu', 'Sigmoid', 'Tanh', 'HardSwish', 'HardSigmoid', 'LeakyRelu', 'Clip']);

// opcodes of assembly/expr.ts
const X = { LOAD: 0, ADD: 1, SUB: 2, MUL: 3, DIV: 4, ADD_C: 5, SUB_C: 6, RSUB_C: 7, MUL_C: 8, DIV_C: 9, RDIV_C: 10, ACT: 11 } as const;
const REGISTERS = 8;

/** The groups worth fusing (two ops or more), keyed by their last node. */
export function expressionGroups(model: Model, types: ReadonlyMap<string, TensorType | null>): Map<Node, ExpressionGroup> {
  const g = model.graph;
  const scalar = (n: string): number | undefined => {
    const t = g.initializers.get(n);
    return t && t.type === 'float32' && t.data.length === 1 ? (t.data as Float32Array)[0] : undefined;
  };
  const dimsOf = (n: string) => {
    const t = types.get(n);
    return t?.kind === 'tensor' && t.dtype === 'float32' && t.shape?.every((d) => typeof d === 'number') ? (t.shape as number[]).join('x') : undefined;
  };
  /** the op's tensor (non-scalar-constant) inputs, when the node qualifies */
  const tensorInputs = (n: Node): string[] | undefined => {
    if (n.domain !== '' || n.outputs.length !== 1 || !dimsOf(n.outputs[0])) return undefined;
    if (BINARY.has(n.op)) {
      if (n.inputs.length !== 2 || !epilogueOf(n)) return undefined;
      const ts = n.inputs.filter((i) => scalar(i) === undefined);
      if (ts.length === 0 || ts.some((i) => dimsOf(i) !== dimsOf(n.outputs[0]))) return undefined;
      return ts;
    }
    if (UNARY.has(n.op) && !n.attrs.has('kiln_activation')) {
      if (n.op === 'Clip' && n.inputs.slice(1).some((i) => i && scalar(i) === undefined)) return undefined;
      return dimsOf(n.inputs[0]) === dimsOf(n.outputs[0]) ? [n.inputs[0]] : undefined;
    }
    return undefined;
  };

  // Grow groups in graph order: a node joins the group whose head and values cover its tensor inputs.
  interface Open { head: string; nodes: Node[]; values: Set<string> }
  const groupOf = new Map<string, Open>();
  const groups: Open[] = [];
  for (const n of g.nodes) {
    const ts = tensorInputs(n);
    if (!ts) continue;
    const owners = new Set(ts.map((t) => groupOf.get(t)).filter((o): o is Open => !!o));
    let grp: Open | undefined;
    if (owners.size === 1) {
      const o = [...owners][0];
      if (ts.every((t) => t === o.head || o.values.has(t))) grp = o;
    } else if (owners.size === 0 && new Set(ts).size === 1) {
      grp = { head: ts[0], nodes: [], values: new Set() };
      groups.push(grp);
    }
    if (!grp) continue;
    grp.nodes.push(n);
    grp.values.add(n.outputs[0]);
    groupOf.set(n.outputs[0], grp);
  }

  // Keep the groups whose inner values stay inside, trimmed to end at a value used outside.
  const consumers = new Map<string, Node[]>();
  for (const n of g.nodes) for (const u of usedNames(n)) consumers.set(u, [...(consumers.get(u) ?? []), n]);
  const outputs = new Set(g.outputs.map((o) => o.name));
  const result = new Map<Node, ExpressionGroup>();
  for (const grp of groups) {
    const members = new Set(grp.nodes);
    const last = grp.nodes[grp.nodes.length - 1];
    const inner = grp.nodes.slice(0, -1).map((n) => n.outputs[0]);
    const escapes = inner.some((v) => outputs.has(v) || (consumers.get(v) ?? []).some((c) => !members.has(c)));
    if (escapes || grp.nodes.length < 2) continue;
    const compiled = compile(grp.head, grp.nodes, scalar);
    if (compiled) result.set(last, compiled);
  }
  return result;
}

/** The group as an expr_f32 program, or undefined when it needs more than 8 registers. */
function compile(head: string, nodes: readonly Node[], scalar: (n: string) => number | undefined): ExpressionGroup | undefined {
  const program: number[] = [];
  const consts: number[] = [];
  const constIndex = (v: number) => consts.push(v) - 1;
  const emit = (op: number, d: number, a: number, b: number, p = 0) => program.push(op, d, a, b, p);
  // registers: the head's first; free ones are reused once a value's last reader has run
  const reg = new Map<string, number>([[head, 0]]);
  const free = Array.from({ length: REGISTERS - 1 }, (_, i) => REGISTERS - 1 - i);
  const lastUse = new Map<string, number>();
  nodes.forEach((n, i) => n.inputs.forEach((x) => lastUse.set(x, i)));
  /** an activation: its two parameters as consecutive constants */
  const emitAct = (d: number, a: number, e: { code: number; p0: number; p1: number }) => {
    const p = constIndex(e.p0);
    constIndex(e.p1);
    emit(X.ACT, d, a, e.code, p);
  };
  emit(X.LOAD, 0, 0, 0);
  const release = (i: number) => {
    for (const [v, r] of reg) if (lastUse.get(v) === i) {
      reg.delete(v);
      free.push(r);
    }
  };
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    type Operand = { readonly r: number; readonly c?: undefined } | { readonly c: number; readonly r?: undefined };
    const operand = (x: string): Operand => (reg.has(x) ? { r: reg.get(x)! } : { c: constIndex(scalar(x)!) });
    // the result register is taken before this node's inputs are released, so it never aliases them
    const d = free.pop();
    if (d === undefined) return undefined;
    if (BINARY.has(n.op)) {
      const [a, b] = n.inputs.map(operand);
      const rr = { Add: X.ADD, Sub: X.SUB, Mul: X.MUL, Div: X.DIV }[n.op as 'Add']!;
      if (a.r !== undefined && b.r !== undefined) emit(rr, d, a.r, b.r);
      else if (a.r !== undefined && b.c !== undefined) emit({ Add: X.ADD_C, Sub: X.SUB_C, Mul: X.MUL_C, Div: X.DIV_C }[n.op as 'Add']!, d, a.r, b.c);
      else if (a.c !== undefined && b.r !== undefined) emit({ Add: X.ADD_C, Sub: X.RSUB_C, Mul: X.MUL_C, Div: X.RDIV_C }[n.op as 'Add']!, d, b.r, a.c);
      else return undefined;
      const e = epilogueOf(n)!;
      if (e.code !== ACT.none) emitAct(d, d, e);
    } else {
      emitAct(d, reg.get(n.inputs[0])!, unaryAct(n, scalar));
    }
    release(i);
    reg.set(n.outputs[0], d);
  }
  const out = reg.get(nodes[nodes.length - 1].outputs[0])!;
  return { head, nodes, program: Int32Array.from(program), count: program.length / 5, consts: Float32Array.from(consts), out };
}

/** A unary activation node as an epilogue code and its two parameters. */
function unaryAct(n: Node, scalar: (n: string) => number | undefined): { code: number; p0: number; p1: number } {
  const f = (name: string, d: number) => {
    const a = n.attrs.get(name);
    return a?.kind === 'float' || a?.kind === 'int' ? a.value : d;
  };
  switch (n.op) {
    case 'Relu': return { code: ACT.clip, p0: 0, p1: Infinity };
    case 'Sigmoid': return { code: ACT.sigmoid, p0: 0, p1: 0 };
    case 'Tanh': return { code: ACT.tanh, p0: 0, p1: 0 };
    case 'HardSwish': return { code: ACT.hardSwish, p0: 0, p1: 0 };
    case 'HardSigmoid': return { code: ACT.hardSigmoid, p0: f('alpha', 0.2), p1: f('beta', 0.5) };
    case 'LeakyRelu': return { code: ACT.leaky, p0: f('alpha', 0.01), p1: 0 };
    default: {
      // Clip: bounds from inputs (opset 11+) or attributes
      const lo = n.inputs[1] ? scalar(n.inputs[1]) : undefined, hi = n.inputs[2] ? scalar(n.inputs[2]) : undefined;
      return { code: ACT.clip, p0: lo ?? f('min', -Infinity), p1: hi ?? f('max', Infinity) };
    }
  }
}
