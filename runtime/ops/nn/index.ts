// The nn op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { affineGrid } from './affine-grid';
import { conv, convInteger } from './conv';
import { col2im, convTranspose } from './conv-transpose';
import { depthToSpace, spaceToDepth } from './depth-space';
import { globalAveragePool, globalLpPool, globalMaxPool } from './global-pool';
import { gridSample } from './grid-sample';
import { gemm, matMul, matMulInteger } from './matmul';
import { qLinearConv, qLinearMatMul } from './qlinear';
import { dequantizeLinear, dynamicQuantizeLinear, quantizeLinear } from './quantize';
import { gru, lstm, rnn } from './rnn';
import { resizeOp, upsample } from './resize';
import { roiAlign } from './roi-align';
import { nonMaxSuppression } from './nms';
import { averagePool, lpPool, maxPool, maxUnpool } from './pool';

export const nnOps: OpSpec[] = [
  conv, convInteger, convTranspose, col2im,
  matMul, matMulInteger, gemm,
  maxPool, averagePool, lpPool, maxUnpool,
  globalAveragePool, globalMaxPool, globalLpPool,
  resizeOp, upsample,
  rnn, gru, lstm,
  gridSample, affineGrid, roiAlign, nonMaxSuppression, depthToSpace, spaceToDepth,
  quantizeLinear, dequantizeLinear, dynamicQuantizeLinear, qLinearConv, qLinearMatMul,
] as OpSpec[];
