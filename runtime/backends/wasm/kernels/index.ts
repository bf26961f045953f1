// Every WebAssembly kernel generator, by ONNX op type (default domain). Each family file owns its table.

import type { WasmKernel } from '../kernel';
import { aliasKernels } from './alias';
import { attentionKernels } from './attention';
import { convKernels } from './conv';
import { convTransposeKernels } from './conv-transpose';
import { elementwiseKernels } from './elementwise';
import { genericKernels } from './generic';
import { indexingKernels } from './indexing';
import { lossKernels } from './loss';
import { matmulKernels } from './matmul';
import { movementKernels } from './movement';
import { normKernels } from './norm';
import { poolKernels } from './pool';
import { quantKernels } from './quant';
import { reduceKernels } from './reduce';
import { resizeKernels } from './resize';
import { softmaxKernels } from './softmax';

const tables: Record<string, WasmKernel>[] = [
  aliasKernels, movementKernels, indexingKernels, elementwiseKernels, genericKernels, reduceKernels, softmaxKernels, lossKernels, normKernels,
  convKernels, convTransposeKernels, matmulKernels, poolKernels, resizeKernels, quantKernels, attentionKernels,
];

const kernels = new Map<string, WasmKernel>();
for (const t of tables) {
  for (const [op, k] of Object.entries(t)) {
    if (kernels.has(op)) throw new Error(`WebAssembly kernel for ${op} is registered twice`);
    kernels.set(op, k);
  }
}

export function kernelFor(domain: string, op: string): WasmKernel | undefined {
  return domain === '' || domain === 'ai.onnx' ? kernels.get(op) : undefined;
}
