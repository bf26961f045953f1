// The training op family (ai.onnx.preview.training): every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { optimizerOps } from './optimizers';

export const trainingOps: OpSpec[] = [...optimizerOps];
