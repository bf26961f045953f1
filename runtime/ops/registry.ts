// Every op the engine knows, looked up by (domain, op type). Each family folder owns its list.

import { attentionOps } from './attention';
import { controlOps } from './control';
import { elementwiseOps } from './elementwise';
import { lossOps } from './loss';
import { mlOps } from './ml';
import { movementOps } from './movement';
import { nnOps } from './nn';
import { reduceOps } from './reduce';
import type { OpSpec } from './spec';
import { textOps } from './text';
import { trainingOps } from './training';

const table = new Map<string, OpSpec>();
for (const spec of [
  ...elementwiseOps, ...reduceOps, ...nnOps, ...movementOps, ...controlOps,
  ...attentionOps, ...lossOps, ...textOps, ...mlOps, ...trainingOps,
]) {
  const key = `${spec.domain ?? ''}:${spec.op}`;
  if (table.has(key)) throw new Error(`op ${key} is registered twice`);
  table.set(key, spec);
}

export function lookupOp(domain: string, op: string): OpSpec | undefined {
  return table.get(`${domain === 'ai.onnx' ? '' : domain}:${op}`);
}

export function registeredOps(): string[] {
  return [...table.keys()].sort();
}
