// Helpers shared by the string ops: checked string input access and a broadcast string gather.

import type { Tensor } from '../../tensor';
import { OpError } from '../spec';

/** The input's strings; throws naming the op when it is missing or not a string tensor. */
export function needStrings(op: string, t: Tensor | undefined, what: string): { t: Tensor; s: string[] } {
  if (!t) throw new OpError(op, `input '${what}' is required`);
  if (t.type !== 'string') throw new OpError(op, `input '${what}' must be a string tensor, got ${t.type}`);
  return { t, s: t.data as string[] };
}
