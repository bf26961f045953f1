// DepthToSpace (DCR and CRD modes) and SpaceToDepth: pure index permutations of [N, C, H, W],
// copying elements of any dtype.

import type { TensorType } from '../../ir/graph';
import { defineOp, OpError } from '../spec';
import { allocData, type Tensor, type TensorData } from '../../tensor';
import { need } from './util';

/** dst[i] = src[from[i]] for any tensor data kind. */
function gather(src: TensorData, from: Int32Array, type: Tensor['type']): TensorData {
  const dst = allocData(type, from.length);
  if (Array.isArray(src)) for (let i = 0; i < from.length; i++) (dst as string[])[i] = src[from[i]];
  else {
    const s = src as unknown as { [k: number]: number | bigint };
    const d = dst as unknown as { [k: number]: number | bigint };
    for (let i = 0; i < from.length; i++) d[i] = s[from[i]];
  }
  return dst;
}

interface DepthAttrs {
  readonly blocksize: number;
  readonly crd: boolean;
}

const readDepthAttrs = (op: string) => (a: { int(n: string): number | undefined; string(n: string, d: string): string }): DepthAttrs => {
  const b = a.int('blocksize');
  if (!b || b < 1) throw new OpError(op, 'attribute blocksize (>= 1) is required');
  const mode = a.string('mode', 'DCR');
  if (mode !== 'DCR' && mode !== 'CRD') throw new OpError(op, `mode must be DCR or CRD, got '${mode}'`);
  return { blocksize: b, crd: mode === 'CRD' };
};

function dims4(op: string, x: Tensor): [number, number, number, number] {
  if (x.dims.length !== 4) throw new OpError(op, `input must be 4-D [N, C, H, W], got [${x.dims.join(',')}]`);
  return [x.dims[0], x.dims[1], x.dims[2], x.dims[3]];
}

const mapShape = (x: TensorType | null, f: (d: number[]) => number[]): (TensorType | null)[] => [
  x ? { kind: 'tensor', dtype: x.dtype, shape: x.shape && x.shape.every((d) => typeof d === 'number') ? f(x.shape as number[]) : x.shape ? [null, null, null, null] : null } : null,
];

export const depthToSpace = defineOp<DepthAttrs>({
  op: 'DepthToSpace',
  attrs: readDepthAttrs('DepthToSpace'),
  infer: ([x], { blocksize: b }) => mapShape(x, ([n, c, h, w]) => [n, c / (b * b), h * b, w * b]),
  run([xT], { blocksize: b, crd }) {
    const x = need('DepthToSpace', xT, 'input');
    const [N, C, H, W] = dims4('DepthToSpace', x);
    if (C % (b * b) !== 0) throw new OpError('DepthToSpace', `channels ${C} must divide by blocksize² ${b * b}`);
    const Co = C / (b * b);
    const from = new Int32Array(x.data.length);
    let i = 0;
    for (let n = 0; n < N; n++)
      for (let c = 0; c < Co; c++)
        for (let oh = 0; oh < H * b; oh++)
          for (let ow = 0; ow < W * b; ow++) {
            const h = Math.floor(oh / b), bh = oh % b, w = Math.floor(ow / b), bw = ow % b;
            // DCR reads channel (bh*b + bw)*Co + c; CRD reads c*b*b + bh*b + bw
            const ci = crd ? c * b * b + bh * b + bw : (bh * b + bw) * Co + c;
            from[i++] = ((n * C + ci) * H + h) * W + w;
          }
    return [{ type: x.type, dims: [N, Co, H * b, W * b], data: gather(x.data, from, x.type) }];
  },
});

export const spaceToDepth = defineOp<DepthAttrs>({
  op: 'SpaceToDepth',
  attrs: readDepthAttrs('SpaceToDepth'),
  infer: ([x], { blocksize: b }) => mapShape(x, ([n, c, h, w]) => [n, c * b * b, h / b, w / b]),
  run([xT], { blocksize: b }) {
    const x = need('SpaceToDepth', xT, 'input');
    const [N, C, H, W] = dims4('SpaceToDepth', x);
    if (H % b !== 0 || W % b !== 0) throw new OpError('SpaceToDepth', `H ${H} and W ${W} must divide by blocksize ${b}`);
    const Ho = H / b, Wo = W / b;
    const from = new Int32Array(x.data.length);
    let i = 0;
    for (let n = 0; n < N; n++)
      for (let bh = 0; bh < b; bh++)
        for (let bw = 0; bw < b; bw++)
          for (let c = 0; c < C; c++)
            for (let h = 0; h < Ho; h++)
              for (let w = 0; w < Wo; w++) from[i++] = ((n * C + c) * H + h * b + bh) * W + w * b + bw;
    return [{ type: x.type, dims: [N, C * b * b, Ho, Wo], data: gather(x.data, from, x.type) }];
  },
});
