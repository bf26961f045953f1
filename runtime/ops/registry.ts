// Every op the engine knows, looked up by (domain, op type). Each family folder owns its list.

import { controlOps } from './control';
import { elementwiseOps } from './elementwise';
import { movementOps } from './movement';
import { nnOps } from './nn';
import { reduceOps } from './reduce';
import type { OpSpec } from './spec';

const table = new Map<string, OpSpec>();
for (const spec of [...elementwiseOps, ...reduceOps, ...nnOps, ...movementOps, ...controlOps]) {
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
