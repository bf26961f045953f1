// Scan (opset 9+): iterates a body over slices of its scan inputs, carrying state, and stacks
// the body's scan outputs along the chosen axes and directions.

import type { Graph } from '../../ir/graph';
import { isTensor, type Tensor, type Value } from '../../tensor';
import { normAxis } from '../broadcast';
import { defineOp, NotSupportedOpError, OpError } from '../spec';
import { sliceAt, stack } from './stack';

interface ScanAttrs {
  body: Graph;
  numScanInputs: number;
  inputAxes: readonly number[];
  inputDirections: readonly number[];
  outputAxes: readonly number[];
  outputDirections: readonly number[];
}

export const scanOp = defineOp<ScanAttrs>({
  op: 'Scan',
  attrs: (a, opset) => {
    if (opset < 9) throw new NotSupportedOpError('Scan', 'the opset-8 form (with sequence_lens and a batch axis) is not supported');
    const body = a.graph('body');
    const numScanInputs = a.int('num_scan_inputs');
    if (!body || numScanInputs === undefined) throw new OpError('Scan', 'needs a body graph and num_scan_inputs');
    return {
      body,
      numScanInputs,
      inputAxes: a.ints('scan_input_axes', []),
      inputDirections: a.ints('scan_input_directions', []),
      outputAxes: a.ints('scan_output_axes', []),
      outputDirections: a.ints('scan_output_directions', []),
    };
  },
  runValues(inputs, at, ctx) {
    const nState = inputs.length - at.numScanInputs;
    let state: Value[] = inputs.slice(0, nState).map((v) => v ?? null);
    const scanIns = inputs.slice(nState).map((v, k) => {
      if (!isTensor(v)) throw new OpError('Scan', `scan input ${k} must be a tensor`);
      return { t: v, axis: normAxis('Scan', at.inputAxes[k] ?? 0, v.dims.length), reverse: (at.inputDirections[k] ?? 0) === 1 };
    });
    const steps = scanIns.length ? scanIns[0].t.dims[scanIns[0].axis] : 0;
    for (const s of scanIns) if (s.t.dims[s.axis] !== steps) throw new OpError('Scan', 'scan inputs must have the same length along their scan axes');
    const collected: Tensor[][] = [];
    for (let i = 0; i < steps; i++) {
      const slices = scanIns.map((s) => sliceAt(s.t, s.axis, s.reverse ? steps - 1 - i : i));
      const outs = ctx.runGraph(at.body, [...state, ...slices]);
      state = outs.slice(0, nState);
      outs.slice(nState).forEach((v, k) => {
        if (!isTensor(v)) throw new OpError('Scan', 'scan outputs must be tensors');
        (collected[k] ??= []).push(v);
      });
    }
    const scanOuts = collected.map((items, k) => {
      const ordered = (at.outputDirections[k] ?? 0) === 1 ? [...items].reverse() : items;
      const axis = normAxis('Scan', at.outputAxes[k] ?? 0, items[0].dims.length + 1);
      return stack('Scan', ordered, axis);
    });
    return [...state, ...scanOuts];
  },
});
