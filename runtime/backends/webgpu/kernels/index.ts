// Every WebGPU kernel generator, by ONNX op type (default domain). Each family file owns its table.

import type { KernelGenerator } from '../kernel';
import { aliasKernels } from './alias';
import { elementwiseKernels } from './elementwise';

const tables: Record<string, KernelGenerator>[] = [aliasKernels, elementwiseKernels];

const generators = new Map<string, KernelGenerator>();
for (const t of tables) {
  for (const [op, gen] of Object.entries(t)) {
    if (generators.has(op)) throw new Error(`WebGPU kernel for ${op} is registered twice`);
    generators.set(op, gen);
  }
}

export function kernelFor(domain: string, op: string): KernelGenerator | undefined {
  return domain === '' ? generators.get(op) : undefined;
}
