// The built-in model catalog: one JSON manifest per model, bundled into the extension. The model
// bytes are copied from node_modules at build time (see ./copy-models.ts), never committed.

import blazeface from './blazeface.json';
import ppocrCls from './ppocr-cls.json';

export interface ModelIO {
  readonly name: string;
  readonly type: string;
  /** sizes, or symbolic names for dimensions the caller chooses */
  readonly dims: readonly (number | string)[];
  readonly layout?: string;
  readonly normalize?: string;
  readonly meaning?: string;
  readonly labels?: readonly string[];
}

export interface ModelManifest {
  readonly id: string;
  readonly name: string;
  readonly task: string;
  readonly description: string;
  /** npm package and the file inside it that holds the ONNX bytes */
  readonly source: { readonly package: string; readonly file: string };
  readonly sha256: string;
  readonly bytes: number;
  readonly license: string;
  readonly inputs: readonly ModelIO[];
  readonly outputs: readonly ModelIO[];
}

export const CATALOG: readonly ModelManifest[] = [blazeface, ppocrCls];

export function findModel(id: string): ModelManifest | undefined {
  return CATALOG.find((m) => m.id === id);
}

/** Where a catalog model's bytes live inside the built extension. */
export function modelPath(m: ModelManifest): string {
  return `models/${m.id}.onnx`;
}
