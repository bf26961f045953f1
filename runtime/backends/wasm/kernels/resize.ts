// Resize and Upsample over the two spatial axes of a 4-D tensor, in either layout: the tap
// tables (source index and weight per output row and column) come from the op's own planAxis,
// so every coordinate mode, nearest rounding, cubic coefficient and antialias rule is the
// reference's; the kernel only sums taps.

import { planAxis, type ResizeAttrs } from '../../../ops/nn/resize';
import { toNumbers } from '../../../tensor';
import { Calls, followsFirst, input, output, unsupported, type LowerArgs, type Lowering, type WasmKernel } from '../kernel';

/** One axis's taps interleaved as the kernel reads them: (i32 index, f32 weight). */
function tapTable(at: ResizeAttrs, inSize: number, outSize: number, scale: number): { table: ArrayBuffer; taps: number } {
  if (outSize === inSize && scale === 1) {
    const table = new ArrayBuffer(outSize * 8);
    const i = new Int32Array(table), w = new Float32Array(table);
    for (let o = 0; o < outSize; o++) {
      i[2 * o] = o;
      w[2 * o + 1] = 1;
    }
    return { table, taps: 1 };
  }
  const plan = planAxis(at, inSize, outSize, scale, 0, 1);
  const table = new ArrayBuffer(outSize * plan.taps * 8);
  const i = new Int32Array(table), w = new Float32Array(table);
  for (let k = 0; k < outSize * plan.taps; k++) {
    i[2 * k] = plan.index[k];
    w[2 * k + 1] = plan.weight[k];
  }
  return { table, taps: plan.taps };
}

function lowerResize({ node, attrs, inputs, constants, outputs, opset }: LowerArgs<ResizeAttrs>): Lowering {
  const x = inputs[0];
  if (!x || x.dtype !== 'float32' || x.dims.length !== 4) return unsupported('only 4-D float32 inputs have a kernel');
  if (attrs.coord === 'tf_crop_and_resize') return unsupported('tf_crop_and_resize has no kernel');
  if (attrs.antialias && attrs.mode === 'nearest') return unsupported('antialias is not defined for nearest');
  const out = outputs[0].dims;
  if (out[0] !== x.dims[0] || out[1] !== x.dims[1]) return unsupported('only the spatial axes may be resized');
  // scales as the op sees them: given (Upsample, opset-10 Resize, or the scales input), else out/in
  const scalesIn = node.op === 'Upsample'
    ? (inputs[1] ? constants[1] : undefined)
    : opset < 11 ? constants[1] : constants[2];
  if ((node.op === 'Upsample' || opset < 11 ? inputs[1] : inputs[2]) && !scalesIn) return unsupported('scales must be constant');
  if (node.op === 'Resize' && opset >= 11 && inputs[3] && !constants[3]) return unsupported('sizes must be constant');
  let scales = scalesIn && scalesIn.data.length ? Array.from(toNumbers(scalesIn)) : node.op === 'Upsample' && attrs.scales ? [...attrs.scales] : undefined;
  if (scales && attrs.axes) {
    const full = [1, 1, 1, 1];
    attrs.axes.forEach((a, i) => (full[a < 0 ? a + 4 : a] = scales![i]));
    scales = full;
  }
  if (!scales && attrs.keepAspect !== 'stretch') return unsupported('keep_aspect_ratio_policy has no kernel');
  const scale = (a: number) => scales?.[a] ?? out[a] / x.dims[a];
  const [N, C, H, W] = x.dims, [OH, OW] = out.slice(2);
  const ty = tapTable(attrs, H, OH, scale(2)), tx = tapTable(attrs, W, OW, scale(3));
  const c = new Calls();
  if (N * C * OH * OW === 0) return c.done([x.layout]);
  const tyAddr = c.const(new Uint8Array(ty.table)), txAddr = c.const(new Uint8Array(tx.table));
  if (x.layout === 'nhwc') c.call('resize_nhwc_f32', input(0), output(0), N, H, W, C, OH, OW, tyAddr, ty.taps, txAddr, tx.taps);
  else c.call('resize_planes_f32', input(0), output(0), N * C, H, W, OH, OW, tyAddr, ty.taps, txAddr, tx.taps);
  return c.done([x.layout]);
}

const resize: WasmKernel = {
  layouts: followsFirst,
  lower: lowerResize as WasmKernel['lower'],
};

export const resizeKernels: Record<string, WasmKernel> = { Resize: resize, Upsample: resize };
