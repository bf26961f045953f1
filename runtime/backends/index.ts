// The backends a session can run on, behind one interface. Later backends (webgpu, wasm) plug in here.

import type { Model } from '../ir/graph';
import type { Value } from '../tensor';
import { referenceBackend } from './reference';

/** A model prepared for one backend: plain `run` from named feeds to named outputs. */
export interface Executable {
  run(feeds: ReadonlyMap<string, Value>): Promise<Map<string, Value>>;
}

export interface Backend {
  readonly name: BackendName;
  prepare(model: Model): Promise<Executable>;
}

export const BACKENDS = ['reference'] as const;
export type BackendName = (typeof BACKENDS)[number];

export function isBackendName(s: string): s is BackendName {
  return (BACKENDS as readonly string[]).includes(s);
}

export function createBackend(name: BackendName): Backend {
  switch (name) {
    case 'reference':
      return referenceBackend;
  }
}
