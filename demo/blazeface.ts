// BlazeFace (MediaPipe front camera, 128×128) post-processing: SSD anchors, decoding of the
// model's four outputs into faces, sigmoid scores, threshold and weighted non-maximum suppression.
// Pure TypeScript with no DOM, so the demo page and the Node tests share it.

/** The model's input side in pixels. */
export const BLAZEFACE_SIZE = 128;

/** The six keypoints, in the model's order (the person's right/left, as MediaPipe names them). */
export const KEYPOINT_NAMES = ['right eye', 'left eye', 'nose tip', 'mouth', 'right ear tragion', 'left ear tragion'] as const;

/** Output names of the catalog's BlazeFace model: scores and regressions for the two anchor grids. */
export const BLAZEFACE_OUTPUTS = {
  scores16: 'Identity:0',
  scores8: 'Identity_1:0',
  boxes16: 'Identity_2:0',
  boxes8: 'Identity_3:0',
} as const;

export interface Point {
  readonly x: number;
  readonly y: number;
}

/** An anchor centre in normalised [0,1] coordinates (fixed anchor size: width = height = 1). */
export type Anchor = Point;

/** A detection; coordinates normalised to the model input ([0,1], y down) or in image pixels after mapping. */
export interface Face {
  readonly score: number;
  /** top-left corner */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly keypoints: readonly Point[];
}

/** One anchor grid of MediaPipe's SSD anchor generator: cells per side and anchors per cell. */
interface AnchorGrid {
  readonly stride: number;
  readonly anchorsPerCell: number;
}

// MediaPipe's face_detection_front options: strides [8, 16, 16, 16] and one aspect ratio, plus
// an interpolated scale, give 2 anchors per cell on the stride-8 grid and 6 (3 layers × 2) on
// the stride-16 grid: 16·16·2 + 8·8·6 = 896 anchors.
const GRIDS: readonly AnchorGrid[] = [
  { stride: 8, anchorsPerCell: 2 },
  { stride: 16, anchorsPerCell: 6 },
];

/** MediaPipe's SSD anchors for a square input: centres ((x+0.5)/w, (y+0.5)/h), cell-major order. */
export function generateAnchors(inputSize = BLAZEFACE_SIZE): Anchor[] {
  const anchors: Anchor[] = [];
  for (const { stride, anchorsPerCell } of GRIDS) {
    const cells = Math.ceil(inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        for (let a = 0; a < anchorsPerCell; a++) anchors.push({ x: (x + 0.5) / cells, y: (y + 0.5) / cells });
      }
    }
  }
  return anchors;
}

const ANCHORS = generateAnchors();

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** The model's raw outputs, by name (the extra fields of a page API or runtime tensor are ignored). */
export type BlazeFaceOutputs = Readonly<Record<string, { readonly data: ArrayLike<number> | unknown }>>;

export interface DetectOptions {
  /** minimum sigmoid score; MediaPipe's default 0.75 */
  readonly threshold?: number;
  /** IoU above which overlapping detections merge; MediaPipe's 0.3 */
  readonly iou?: number;
  /** 'weighted' averages each cluster by score (MediaPipe's choice); 'plain' keeps the best only */
  readonly nms?: 'weighted' | 'plain';
}

const REGRESSION_SIZE = 16; // box cx, cy, w, h, then six keypoints x, y
// MediaPipe clips logits to ±100 before the sigmoid.
const SCORE_CLIP = 100;

function floats(outputs: BlazeFaceOutputs, name: string, expected: number): ArrayLike<number> {
  const t = outputs[name];
  if (!t) throw new Error(`BlazeFace output '${name}' is missing; got ${Object.keys(outputs).join(', ') || 'no outputs'}`);
  const data = t.data as ArrayLike<number>;
  if (typeof data !== 'object' || data === null || typeof data.length !== 'number' || data.length !== expected) {
    throw new Error(`BlazeFace output '${name}' should hold ${expected} numbers`);
  }
  return data;
}

/**
 * Decodes every anchor whose score passes the threshold, before suppression. Offsets are in
 * input pixels: centre = anchor + offset/128 (fixed anchor size), size = offset/128.
 */
export function decodeCandidates(outputs: BlazeFaceOutputs, threshold = 0.75, anchors = ANCHORS): Face[] {
  const counts = [512, 384];
  const scores = [floats(outputs, BLAZEFACE_OUTPUTS.scores16, counts[0]), floats(outputs, BLAZEFACE_OUTPUTS.scores8, counts[1])];
  const boxes = [
    floats(outputs, BLAZEFACE_OUTPUTS.boxes16, counts[0] * REGRESSION_SIZE),
    floats(outputs, BLAZEFACE_OUTPUTS.boxes8, counts[1] * REGRESSION_SIZE),
  ];
  const faces: Face[] = [];
  let anchorIndex = 0;
  for (let g = 0; g < 2; g++) {
    for (let i = 0; i < counts[g]; i++, anchorIndex++) {
      const logit = Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, scores[g][i]));
      const score = sigmoid(logit);
      if (!(score >= threshold)) continue;
      const anchor = anchors[anchorIndex];
      const r = boxes[g];
      const o = i * REGRESSION_SIZE;
      const cx = r[o] / BLAZEFACE_SIZE + anchor.x;
      const cy = r[o + 1] / BLAZEFACE_SIZE + anchor.y;
      const w = r[o + 2] / BLAZEFACE_SIZE;
      const h = r[o + 3] / BLAZEFACE_SIZE;
      const keypoints: Point[] = [];
      for (let k = 0; k < 6; k++) {
        keypoints.push({ x: r[o + 4 + 2 * k] / BLAZEFACE_SIZE + anchor.x, y: r[o + 5 + 2 * k] / BLAZEFACE_SIZE + anchor.y });
      }
      faces.push({ score, x: cx - w / 2, y: cy - h / 2, width: w, height: h, keypoints });
    }
  }
  return faces;
}


/** Intersection over union of two boxes (0 when either is empty). */
export function iou(a: Face, b: Face): number {
  const left = Math.max(a.x, b.x);
  const top = Math.max(a.y, b.y);
  const right = Math.min(a.x + a.width, b.x + b.width);
  const bottom = Math.min(a.y + a.height, b.y + b.height);
  const inner = Math.max(0, right - left) * Math.max(0, bottom - top);
  const union = a.width * a.height + b.width * b.height - inner;
  return union > 0 ? inner / union : 0;
}

/**
 * Non-maximum suppression, best score first. 'weighted' (MediaPipe's WEIGHTED) replaces each
 * cluster by its score-weighted mean box and keypoints and keeps the best score; 'plain' keeps
 * the best detection of each cluster as is.
 */
export function suppress(candidates: readonly Face[], iouThreshold = 0.3, mode: 'weighted' | 'plain' = 'weighted'): Face[] {
  let remaining = [...candidates].sort((a, b) => b.score - a.score);
  const kept: Face[] = [];
  while (remaining.length > 0) {
    const best = remaining[0];
    const cluster: Face[] = [];
    const rest: Face[] = [];
    for (const f of remaining) (iou(best, f) > iouThreshold || f === best ? cluster : rest).push(f);
    kept.push(mode === 'weighted' ? weightedMean(cluster, best.score) : best);
    remaining = rest;
  }
  return kept;
}

function weightedMean(cluster: readonly Face[], score: number): Face {
  const total = cluster.reduce((s, f) => s + f.score, 0);
  const mean = (get: (f: Face) => number): number => cluster.reduce((s, f) => s + get(f) * f.score, 0) / total;
  return {
    score,
    x: mean((f) => f.x),
    y: mean((f) => f.y),
    width: mean((f) => f.width),
    height: mean((f) => f.height),
    keypoints: cluster[0].keypoints.map((_, k) => ({ x: mean((f) => f.keypoints[k].x), y: mean((f) => f.keypoints[k].y) })),
  };
}

/** The whole post-processing: decode, threshold, suppress. Faces come back normalised to the input. */
export function detectFaces(outputs: BlazeFaceOutputs, options: DetectOptions = {}): Face[] {
  return suppress(decodeCandidates(outputs, options.threshold ?? 0.75), options.iou ?? 0.3, options.nms ?? 'weighted');
}

/** How an image of width × height sits in the square model input: scaled to fit, centred, padded. */
export interface Letterbox {
  readonly scale: number;
  /** padding in input pixels on the left and on the top */
  readonly padX: number;
  readonly padY: number;
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly size: number;
}

export function letterbox(imageWidth: number, imageHeight: number, size = BLAZEFACE_SIZE): Letterbox {
  if (!(imageWidth > 0 && imageHeight > 0)) throw new Error(`letterbox: image size must be positive, got ${imageWidth}×${imageHeight}`);
  const scale = Math.min(size / imageWidth, size / imageHeight);
  return { scale, padX: (size - imageWidth * scale) / 2, padY: (size - imageHeight * scale) / 2, imageWidth, imageHeight, size };
}

/** Maps a face normalised to the model input back to image pixels through the letterbox. */
export function toImagePixels(face: Face, box: Letterbox): Face {
  const px = (x: number): number => (x * box.size - box.padX) / box.scale;
  const py = (y: number): number => (y * box.size - box.padY) / box.scale;
  return {
    score: face.score,
    x: px(face.x),
    y: py(face.y),
    width: (face.width * box.size) / box.scale,
    height: (face.height * box.size) / box.scale,
    keypoints: face.keypoints.map((p) => ({ x: px(p.x), y: py(p.y) })),
  };
}
