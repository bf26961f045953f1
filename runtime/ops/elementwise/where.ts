// Where: picks X where the bool condition holds, else Y, broadcasting all three; any element type.

import { allocData, tensor } from '../../tensor';
import { defineOp, type OpSpec } from '../spec';
import { inferBroadcast } from './infer';
import type { AnyArray } from './numeric';
import { BOOL, need, needSameType, needType } from './util';
import { broadcastRuns } from './zip';

export const whereOp = defineOp<null>({
  op: 'Where',
  attrs: () => null,
  infer: (inputs) => inferBroadcast('Where', inputs, inputs[1]?.dtype ?? inputs[2]?.dtype),
  run: (inputs) => {
    const c = needType('Where', need('Where', inputs[0], 'condition'), BOOL, 'condition');
    const x = need('Where', inputs[1], 'X');
    const y = need('Where', inputs[2], 'Y');
    const t = needSameType('Where', [x, y]);
    const { dims, outer, inner, base: [bc, bx, by], step: [sc, sx, sy] } = broadcastRuns('Where', [c.dims, x.dims, y.dims]);
    const C = c.data as Uint8Array, X = x.data as AnyArray, Y = y.data as AnyArray;
    const data = allocData(t, outer * inner);
    const out = data as AnyArray;
    let i = 0;
    for (let o = 0; o < outer; o++) {
      for (let j = 0, pc = bc[o], px = bx[o], py = by[o]; j < inner; j++, pc += sc, px += sx, py += sy) {
        out[i++] = C[pc] ? X[px] : Y[py];
      }
    }
    return [tensor(t, dims, data)];
  },
}) as OpSpec;
