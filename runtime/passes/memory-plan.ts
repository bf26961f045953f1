// Memory planning: each intermediate value lives from the node that defines it to the last node
// that reads it; values whose lifetimes do not overlap share a buffer from a small pool (greedy
// best fit over the freed buffers), so a chain network needs only two or three buffers.

import type { Node } from '../ir/graph';
import { usedNames } from './graph-util';

export interface MemoryPlan {
  /** byte size of each pooled buffer */
  readonly buffers: number[];
  /** value → pooled buffer index (aliases map to their target's buffer) */
  readonly assignment: Map<string, number>;
}

/**
 * Plans buffers for the values `nodes` define. Values in `pinned` (graph inputs, outputs,
 * initializers), values with no known size and values whose alias target is pinned are not pooled.
 * `aliases` maps a value to the one whose buffer it reuses (a Reshape's output to its input, a
 * Concat's input written in place to the Concat's output): the target then lives from the first
 * of them made to the last use of any.
 */
export function planMemory(
  nodes: readonly Node[], sizes: ReadonlyMap<string, number>, pinned: ReadonlySet<string>,
  aliases: ReadonlyMap<string, string> = new Map(),
): MemoryPlan {
  const root = (v: string): string => {
    for (let seen = 0; aliases.has(v) && seen <= aliases.size; seen++) v = aliases.get(v)!;
    return v;
  };
  // Last step at which each root's buffer is needed (reads through aliases count).
  const lastUse = new Map<string, number>();
  nodes.forEach((node, i) => {
    node.outputs.forEach((o) => o !== '' && lastUse.set(root(o), Math.max(lastUse.get(root(o)) ?? i, i)));
    usedNames(node).forEach((n) => lastUse.set(root(n), i));
  });
  const freeAfter = new Map<number, string[]>();
  lastUse.forEach((i, v) => freeAfter.set(i, [...(freeAfter.get(i) ?? []), v]));

  const buffers: number[] = [];
  const free: number[] = []; // indices of buffers not in use
  const rootBuffer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const o of node.outputs) {
      // an alias may come before its target (a Concat's inputs written in place into its output):
      // the target's buffer is taken where the first of them is made
      const r = o === '' ? o : root(o);
      if (r === '' || pinned.has(r) || rootBuffer.has(r)) continue;
      const need = sizes.get(r);
      if (need === undefined) continue;
      rootBuffer.set(r, takeBuffer(buffers, free, need));
    }
    for (const v of freeAfter.get(i) ?? []) {
      const b = rootBuffer.get(v);
      if (b !== undefined) free.push(b);
    }
  });

  const assignment = new Map<string, number>();
  rootBuffer.forEach((b, v) => assignment.set(v, b));
  for (const node of nodes) {
    for (const o of node.outputs) {
      const b = o !== '' && aliases.has(o) && !pinned.has(o) ? rootBuffer.get(root(o)) : undefined;
      if (b !== undefined) assignment.set(o, b);
    }
  }
  return { buffers, assignment };
}

/** The smallest free buffer of at least `need` bytes, or a new one. */
function takeBuffer(buffers: number[], free: number[], need: number): number {
  let best = -1;
  for (let k = 0; k < free.length; k++) {
    const size = buffers[free[k]];
    if (size >= need && (best < 0 || size < buffers[free[best]])) best = k;
  }
  if (best >= 0) return free.splice(best, 1)[0];
  buffers.push(need);
  return buffers.length - 1;
}
