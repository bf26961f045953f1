// Layout conversions the lowering inserts between a producer and a consumer that wants the
// other layout: one strided copy, channels-first ⇄ channels-last.

import { Calls, input, output } from '../kernel';
import { logicalStrides, memoryOrder, type Layout, type ValueDesc } from '../layout';
import { copyStrided } from './copy';

export function convertLayout(src: ValueDesc, to: Layout): { calls: Calls['calls']; consts: Calls['consts'] } {
  const c = new Calls();
  const order = memoryOrder(to, src.dims.length);
  const from = logicalStrides(src);
  copyStrided(c, src.dtype, input(0), output(0), order.map((a) => src.dims[a]), order.map((a) => from[a]));
  return { calls: c.calls, consts: c.consts };
}
