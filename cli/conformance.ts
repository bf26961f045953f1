// Runs one ONNX backend-test folder (model.onnx + test_data_set_*/input_*.pb, output_*.pb) on a backend.

import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { importOnnx } from '../runtime/onnx/import';
import { decodeTensor } from '../runtime/onnx/tensor-proto';
import { decodeOptional, decodeSequence } from '../runtime/onnx/value-proto';
import { createBackend, type BackendName, type BackendOptions } from '../runtime/backends';
import type { ValueType } from '../runtime/ir/graph';
import type { Value } from '../runtime/tensor';
import { compareValues } from './compare';

export interface CheckResult {
  readonly name: string;
  readonly pass: boolean;
  readonly reason?: string;
  readonly ms: number;
}

function decodeValue(bytes: Uint8Array, type: ValueType | null | undefined): Value {
  if (type?.kind === 'sequence') return decodeSequence(bytes);
  if (type?.kind === 'optional') return decodeOptional(bytes);
  return decodeTensor(bytes);
}

const byIndex = (prefix: string) => (a: string, b: string) =>
  Number(a.slice(prefix.length).split('.')[0]) - Number(b.slice(prefix.length).split('.')[0]);

export async function checkFolder(dir: string, backend: BackendName, options: BackendOptions = {}): Promise<CheckResult> {
  const name = basename(dir);
  const t0 = performance.now();
  const done = (pass: boolean, reason?: string): CheckResult => ({ name, pass, reason, ms: performance.now() - t0 });
  try {
    const model = importOnnx(readFileSync(join(dir, 'model.onnx')));
    const exec = await createBackend(backend, options).prepare(model);
    const sets = readdirSync(dir).filter((d) => d.startsWith('test_data_set_')).sort();
    if (sets.length === 0) return done(false, 'no test_data_set_* folder');
    for (const set of sets) {
      const files = readdirSync(join(dir, set));
      const inputs = files.filter((f) => f.startsWith('input_')).sort(byIndex('input_'));
      const outputs = files.filter((f) => f.startsWith('output_')).sort(byIndex('output_'));
      const feeds = new Map<string, Value>();
      inputs.forEach((f, i) => {
        const info = model.graph.inputs[i];
        if (!info) throw new Error(`test feeds input ${i} but the model declares ${model.graph.inputs.length}`);
        feeds.set(info.name, decodeValue(readFileSync(join(dir, set, f)), info.type));
      });
      const got = await exec.run(feeds);
      for (let i = 0; i < outputs.length; i++) {
        const info = model.graph.outputs[i];
        const want = decodeValue(readFileSync(join(dir, set, outputs[i])), info.type);
        const why = compareValues(backend, got.get(info.name), want, `${set}/${info.name}`);
        if (why) return done(false, why);
      }
    }
    return done(true);
  } catch (e) {
    const err = e as Error;
    return done(false, `${err.name === 'Error' ? '' : err.name + ': '}${err.message}`.split('\n')[0].slice(0, 300));
  }
}

/** Expands folder arguments: a test folder itself, or a folder holding test folders. */
export function testFolders(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    if (existsSync(join(a, 'model.onnx'))) out.push(a);
    else if (existsSync(a)) for (const d of readdirSync(a).sort()) if (existsSync(join(a, d, 'model.onnx'))) out.push(join(a, d));
  }
  return out;
}
