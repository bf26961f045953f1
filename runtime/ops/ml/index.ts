// The ai.onnx.ml op family: every spec this folder defines, for ../registry.
import type { OpSpec } from '../spec';
import { simpleMlOps } from './simple';
import { treeEnsembleSpec } from './tree-ensemble';

export const mlOps: OpSpec[] = [...simpleMlOps, treeEnsembleSpec];
