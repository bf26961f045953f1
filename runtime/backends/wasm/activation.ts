// The fused activation a node carries (the passes' `kiln_activation` attributes) as the kernels'
// epilogue arguments: a code from ACT and two float parameters.

import type { Node } from '../../ir/graph';
import { ACTIVATION_ATTR, ACTIVATION_PARAMS_ATTR } from '../../passes/activation';
import { ACT } from './codes';

export interface Epilogue {
  readonly code: number;
  readonly p0: number;
  readonly p1: number;
}

export const NO_EPILOGUE: Epilogue = { code: ACT.none, p0: 0, p1: 0 };

/** The node's fused activation as kernel arguments; undefined when the kernels have no form of it. */
export function epilogueOf(node: Node): Epilogue | undefined {
  const a = node.attrs.get(ACTIVATION_ATTR);
  if (a?.kind !== 'string') return NO_EPILOGUE;
  const p = node.attrs.get(ACTIVATION_PARAMS_ATTR);
  const params = p?.kind === 'floats' ? p.value : [];
  const [p0 = 0, p1 = 0] = params;
  switch (a.value) {
    case 'Relu': return { code: ACT.clip, p0: 0, p1: Infinity };
    case 'Clip': return { code: ACT.clip, p0: params[0] ?? -Infinity, p1: params[1] ?? Infinity };
    case 'LeakyRelu': return { code: ACT.leaky, p0: params[0] ?? 0.01, p1 };
    case 'HardSigmoid': return { code: ACT.hardSigmoid, p0: params[0] ?? 0.2, p1: params[1] ?? 0.5 };
    case 'HardSwish': return { code: ACT.hardSwish, p0, p1 };
    case 'Sigmoid': return { code: ACT.sigmoid, p0, p1 };
    case 'Tanh': return { code: ACT.tanh, p0, p1 };
    case 'Gelu': return { code: p0 ? ACT.geluTanh : ACT.gelu, p0, p1 };
    case 'Elu': return { code: ACT.elu, p0: params[0] ?? 1, p1 };
    case 'Softplus': return { code: ACT.softplus, p0, p1 };
    case 'Swish': return { code: ACT.swish, p0: params[0] ?? 1, p1 };
    default: return undefined;
  }
}

/** The epilogue's three kernel arguments. */
export const epilogueArgs = (e: Epilogue): [number, number, number] => [e.code, e.p0, e.p1];
