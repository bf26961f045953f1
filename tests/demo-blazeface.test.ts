// The demo's BlazeFace post-processing: anchors, decoding, suppression and letterbox mapping on
// synthetic outputs, then the real model on the reference backend over NASA's astronaut portrait
// (Debian's imageio / scikit-image sample image), which must give exactly one face, on her face.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { PNG } from 'pngjs';
import {
  BLAZEFACE_OUTPUTS,
  BLAZEFACE_SIZE,
  decodeCandidates,
  detectFaces,
  generateAnchors,
  iou,
  letterbox,
  suppress,
  toImagePixels,
  type Face,
} from '../demo/blazeface';
import { letterboxBilinear, rgbaToInput } from '../demo/input';
import { demoImagePath, SAMPLE_IMAGE } from '../demo/sample-image';
import { findModel } from '../models/catalog';
import { readCatalogModel } from '../models/copy-models';
import { InferenceSession } from '../runtime/session';

/** Outputs with every score at -10 (sigmoid ≈ 0) and all regressions 0. */
function emptyOutputs() {
  return {
    [BLAZEFACE_OUTPUTS.scores16]: { data: new Float32Array(512).fill(-10) },
    [BLAZEFACE_OUTPUTS.scores8]: { data: new Float32Array(384).fill(-10) },
    [BLAZEFACE_OUTPUTS.boxes16]: { data: new Float32Array(512 * 16) },
    [BLAZEFACE_OUTPUTS.boxes8]: { data: new Float32Array(384 * 16) },
  };
}

const face = (x: number, y: number, size: number, score: number): Face => ({ score, x, y, width: size, height: size, keypoints: [{ x: x + size / 2, y: y + size / 2 }] });

describe('BlazeFace anchors', () => {
  it('are the 896 SSD anchors of MediaPipe, cell-major', () => {
    const a = generateAnchors();
    expect(a).toHaveLength(896);
    // stride 8: 16×16 cells, 2 anchors each
    expect(a[0]).toEqual({ x: 0.5 / 16, y: 0.5 / 16 });
    expect(a[1]).toEqual(a[0]);
    expect(a[2]).toEqual({ x: 1.5 / 16, y: 0.5 / 16 });
    expect(a[32]).toEqual({ x: 0.5 / 16, y: 1.5 / 16 });
    expect(a[511]).toEqual({ x: 15.5 / 16, y: 15.5 / 16 });
    // stride 16: 8×8 cells, 6 anchors each
    expect(a[512]).toEqual({ x: 0.5 / 8, y: 0.5 / 8 });
    expect(a[517]).toEqual(a[512]);
    expect(a[518]).toEqual({ x: 1.5 / 8, y: 0.5 / 8 });
    expect(a[895]).toEqual({ x: 7.5 / 8, y: 7.5 / 8 });
  });
});

describe('BlazeFace decoding', () => {
  it('finds nothing when every score is low', () => {
    expect(detectFaces(emptyOutputs())).toEqual([]);
  });

  it('decodes offsets in input pixels around the anchor, with keypoints', () => {
    const out = emptyOutputs();
    // anchor 518 is the stride-16 cell (1, 0): centre (1.5/8, 0.5/8) = (24, 8) px
    const i = 518 - 512;
    (out[BLAZEFACE_OUTPUTS.scores8].data as Float32Array)[i] = 3; // sigmoid 0.9526
    const r = out[BLAZEFACE_OUTPUTS.boxes8].data as Float32Array;
    r.set([8, 16, 32, 64, 0, 0, -4, 4], i * 16);
    const [f] = detectFaces(out);
    expect(f.score).toBeCloseTo(1 / (1 + Math.exp(-3)), 6);
    // centre (24+8, 8+16) = (32, 24) px, size 32 × 64 px
    expect(f.x * 128).toBeCloseTo(32 - 16, 4);
    expect(f.y * 128).toBeCloseTo(24 - 32, 4);
    expect(f.width * 128).toBeCloseTo(32, 4);
    expect(f.height * 128).toBeCloseTo(64, 4);
    expect(f.keypoints).toHaveLength(6);
    expect(f.keypoints[0].x * 128).toBeCloseTo(24, 4);
    expect(f.keypoints[1].x * 128).toBeCloseTo(20, 4);
    expect(f.keypoints[1].y * 128).toBeCloseTo(12, 4);
  });

  it('applies the threshold to sigmoid scores', () => {
    const out = emptyOutputs();
    (out[BLAZEFACE_OUTPUTS.scores16].data as Float32Array)[5] = 1; // sigmoid 0.731
    expect(decodeCandidates(out, 0.75)).toHaveLength(0);
    expect(decodeCandidates(out, 0.7)).toHaveLength(1);
  });

  it('names a missing or mis-sized output', () => {
    const out: Record<string, { data: Float32Array }> = emptyOutputs();
    delete out[BLAZEFACE_OUTPUTS.boxes8];
    expect(() => detectFaces(out)).toThrow(/Identity_3:0' is missing/);
    expect(() => detectFaces({ ...emptyOutputs(), [BLAZEFACE_OUTPUTS.scores16]: { data: new Float32Array(3) } })).toThrow(/should hold 512/);
  });
});

describe('suppression', () => {
  it('computes IoU', () => {
    expect(iou(face(0, 0, 2, 1), face(0, 0, 2, 1))).toBe(1);
    expect(iou(face(0, 0, 2, 1), face(1, 0, 2, 1))).toBeCloseTo(2 / 6, 9);
    expect(iou(face(0, 0, 1, 1), face(5, 5, 1, 1))).toBe(0);
  });

  it('plain NMS keeps the best of each overlapping cluster', () => {
    const kept = suppress([face(0, 0, 10, 0.8), face(1, 0, 10, 0.9), face(50, 50, 10, 0.85)], 0.3, 'plain');
    expect(kept.map((f) => f.score)).toEqual([0.9, 0.85]);
    expect(kept[0].x).toBe(1);
  });

  it('weighted NMS averages a cluster by score and keeps the best score', () => {
    const [f] = suppress([face(0, 0, 10, 0.75), face(2, 0, 10, 0.25)], 0.3, 'weighted');
    expect(f.score).toBe(0.75);
    expect(f.x).toBeCloseTo(0.5, 9);
    expect(f.keypoints[0].x).toBeCloseTo(5.5, 9);
  });
});

describe('letterbox', () => {
  it('fits a wide image and maps normalised boxes back to image pixels', () => {
    const box = letterbox(256, 128, 128);
    expect(box).toMatchObject({ scale: 0.5, padX: 0, padY: 32 });
    // the input's centre is the image's centre; a box of half the input is 128 image px
    const f = toImagePixels({ score: 1, x: 0.25, y: 0.25, width: 0.5, height: 0.5, keypoints: [{ x: 0.5, y: 0.5 }] }, box);
    expect(f).toMatchObject({ x: 64, y: 0, width: 128, height: 128, keypoints: [{ x: 128, y: 64 }] });
  });

  it('resizes with black padding where the image does not reach', () => {
    const data = new Uint8Array(4 * 2 * 1).fill(255);
    const { image } = letterboxBilinear({ width: 2, height: 1, data }, 4);
    const px = (x: number, y: number) => Array.from(image.data as Uint8ClampedArray).slice((y * 4 + x) * 4, (y * 4 + x) * 4 + 4);
    expect(px(0, 0)).toEqual([0, 0, 0, 255]);
    expect(px(1, 1)).toEqual([255, 255, 255, 255]);
    expect(px(3, 3)).toEqual([0, 0, 0, 255]);
    expect(rgbaToInput(image).slice(0, 3)).toEqual(new Float32Array([-1, -1, -1]));
  });
});

const imagePath = demoImagePath();
const haveImage = existsSync(imagePath);
// A developer's machine may lack the photo; CI installs it, so there a missing photo fails.
if (!haveImage && !process.env.CI) console.warn(`skipping the BlazeFace model check: ${SAMPLE_IMAGE.howToGet(imagePath)}`);

describe.skipIf(!haveImage && !process.env.CI)('BlazeFace on the astronaut portrait (reference backend)', () => {
  it('finds exactly one face, on her face', async () => {
    const png = PNG.sync.read(readFileSync(imagePath));
    const { image, box } = letterboxBilinear({ width: png.width, height: png.height, data: png.data }, BLAZEFACE_SIZE);
    const session = await InferenceSession.create(readCatalogModel(findModel('blazeface')!), { backend: 'reference' });
    const outputs = await session.run({ 'input:0': { type: 'float32', dims: [1, 128, 128, 3], data: rgbaToInput(image) } });
    const faces = detectFaces(outputs).map((f) => toImagePixels(f, box));
    expect(faces).toHaveLength(1);
    const [f] = faces;
    expect(f.score).toBeGreaterThan(0.85);
    // Checked by eye (box drawn into a PNG): about x 179..272, y 82..174 with onnxruntime-node.
    expect(f.x).toBeGreaterThan(165);
    expect(f.x + f.width).toBeLessThan(300);
    expect(f.y).toBeGreaterThan(60);
    expect(f.y + f.height).toBeLessThan(220);
    expect(f.width).toBeGreaterThan(60);
    // eyes above the nose, nose above the mouth; her right eye is on the image's left
    const [rightEye, leftEye, nose, mouth] = f.keypoints;
    expect(rightEye.x).toBeLessThan(leftEye.x);
    expect(Math.max(rightEye.y, leftEye.y)).toBeLessThan(nose.y);
    expect(nose.y).toBeLessThan(mouth.y);
  }, 300_000);
});
