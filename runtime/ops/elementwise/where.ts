// Where: picks X where the bool condition holds, else Y, broadcasting all three; any element type.

import { allocData, tensor } from '../../tensor';
import { defineOp, type OpSpec } from '../spec';
import { BOOL, broadcastPlan, inferBroadcast, need, needSameType, needType, type AnyArray } from './util';

export const whereOp = defineOp<null>({
  op: 'Where',
  attrs: () => null,
  infer: (inputs) => inferBroadcast('Where', inputs, inputs[1]?.dtype ?? inputs[2]?.dtype),
  run: (inputs) => {
    const c = needType('Where', need('Where', inputs[0], 'condition'), BOOL, 'condition');
    const x = need('Where', inputs[1], 'X');
    const y = need('Where', inputs[2], 'Y');
    const t = needSameType('Where', [x, y]);
    const { dims, n, idx: [ic, ix, iy] } = broadcastPlan('Where', [c, x, y]);
    const C = c.data as Uint8Array, X = x.data as AnyArray, Y = y.data as AnyArray;
    const data = allocData(t, n);
    const out = data as AnyArray;
    for (let i = 0; i < n; i++) out[i] = C[ic ? ic[i] : i] ? X[ix ? ix[i] : i] : Y[iy ? iy[i] : i];
    return [tensor(t, dims, data)];
  },
}) as OpSpec;
