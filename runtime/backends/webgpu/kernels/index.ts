// Every WebGPU kernel generator, by ONNX op type (default domain). Each family file owns its table.

import type { KernelGenerator } from '../kernel';
import { aliasKernels } from './alias';
import { activationKernels } from './activation';
import { attentionKernels } from './attention';
import { castKernels } from './cast';
import { convKernels } from './conv';
import { elementwiseKernels } from './elementwise';
import { gridSampleKernels } from './grid-sample';
import { matmulKernels } from './matmul';
import { movementKernels } from './movement';
import { quantKernels } from './elementwise-quant';
import { normKernels } from './norm';
import { poolKernels } from './pool';
import { reduceKernels } from './reduce';
import { einsumKernels } from './reduce-einsum';
import { resizeKernels } from './resize';
import { rotaryKernels } from './rotary-embedding';
import { softmaxKernels } from './softmax';
import { lossKernels } from './softmax-loss';

const tables: Record<string, KernelGenerator>[] = [
  aliasKernels, movementKernels,
  elementwiseKernels, activationKernels, quantKernels, castKernels,
  reduceKernels, einsumKernels, softmaxKernels, lossKernels, normKernels,
  convKernels, matmulKernels, poolKernels, resizeKernels,
  attentionKernels, rotaryKernels, gridSampleKernels,
];

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
