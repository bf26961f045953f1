// Model bytes for catalog models: fetched from the extension package (models/<id>.onnx, copied
// there at build time), checked against the manifest's sha256, cached in memory per model.

import { findModel, modelPath, type ModelManifest } from '../models/catalog';
import { KilnError } from './errors';

export type FetchModelBytes = (m: ModelManifest) => Promise<Uint8Array>;

/** Reads a model from the extension package and checks its integrity. */
export const fetchFromPackage: FetchModelBytes = async (m) => {
  const response = await fetch(chrome.runtime.getURL(modelPath(m)));
  if (!response.ok) throw new KilnError('NotFoundError', `model '${m.id}' is missing from the extension package (${modelPath(m)}: HTTP ${response.status})`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const sha = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  if (sha !== m.sha256) throw new KilnError('DataError', `model '${m.id}' is corrupt: its sha256 is ${sha}, the catalog says ${m.sha256}`);
  return bytes;
};

export class ModelBytesCache {
  private readonly cache = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly fetchBytes: FetchModelBytes = fetchFromPackage) {}

  get(m: ModelManifest): Promise<Uint8Array> {
    let p = this.cache.get(m.id);
    if (!p) {
      p = this.fetchBytes(m);
      this.cache.set(m.id, p);
      p.catch(() => this.cache.delete(m.id)); // a failure is not cached
    }
    return p;
  }

  isLoaded(id: string): boolean {
    return this.cache.has(id);
  }
}

/** The catalog entry for `id`, or NotFoundError naming the known models. */
export function requireModel(id: string, known: readonly ModelManifest[]): ModelManifest {
  const m = findModel(id);
  if (!m) throw new KilnError('NotFoundError', `unknown model '${id}': the known models are ${known.map((k) => `'${k.id}'`).join(', ')}`);
  return m;
}
