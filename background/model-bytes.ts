// Model bytes for catalog models: read from the extension package (models/<id>.onnx, copied
// there at build time) and checked against the catalog's sha256, when the library installs them.

import { modelPath, type ModelManifest } from '../models/catalog';
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
