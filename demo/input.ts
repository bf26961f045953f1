// Pre-processing for BlazeFace without a DOM: RGBA pixels to the model's NHWC float input
// (rgb / 127.5 - 1), and a bilinear letterbox resize for Node (the page uses a canvas instead).

import { letterbox, type Letterbox } from './blazeface';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** width × height × 4 bytes, row-major */
  readonly data: ArrayLike<number>;
}

/** The model input tensor data: [1, size, size, 3] float32, each channel mapped to [-1, 1]. */
export function rgbaToInput(image: RgbaImage): Float32Array {
  const n = image.width * image.height;
  if (image.data.length !== n * 4) throw new Error(`rgbaToInput: ${image.width}×${image.height} needs ${n * 4} bytes, got ${image.data.length}`);
  const out = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    out[3 * i] = image.data[4 * i] / 127.5 - 1;
    out[3 * i + 1] = image.data[4 * i + 1] / 127.5 - 1;
    out[3 * i + 2] = image.data[4 * i + 2] / 127.5 - 1;
  }
  return out;
}

/**
 * Scales `image` to fit a size × size square (bilinear, pixel centres aligned), centred on
 * black padding, as a canvas `drawImage` into the letterbox would. Returns the pixels and the
 * letterbox that maps detections back.
 */
export function letterboxBilinear(image: RgbaImage, size: number): { image: RgbaImage; box: Letterbox } {
  const box = letterbox(image.width, image.height, size);
  const out = new Uint8ClampedArray(size * size * 4);
  const src = image.data;
  const at = (x: number, y: number, c: number): number => src[(y * image.width + x) * 4 + c];
  for (let oy = 0; oy < size; oy++) {
    for (let ox = 0; ox < size; ox++) {
      const o = (oy * size + ox) * 4;
      out[o + 3] = 255;
      // Source coordinate of this output pixel's centre.
      const sx = (ox + 0.5 - box.padX) / box.scale - 0.5;
      const sy = (oy + 0.5 - box.padY) / box.scale - 0.5;
      if (sx < -0.5 || sy < -0.5 || sx > image.width - 0.5 || sy > image.height - 0.5) continue; // padding
      const x0 = clamp(Math.floor(sx), 0, image.width - 1);
      const y0 = clamp(Math.floor(sy), 0, image.height - 1);
      const x1 = Math.min(x0 + 1, image.width - 1);
      const y1 = Math.min(y0 + 1, image.height - 1);
      const fx = clamp(sx - x0, 0, 1);
      const fy = clamp(sy - y0, 0, 1);
      for (let c = 0; c < 3; c++) {
        const top = at(x0, y0, c) * (1 - fx) + at(x1, y0, c) * fx;
        const bottom = at(x0, y1, c) * (1 - fx) + at(x1, y1, c) * fx;
        out[o + c] = top * (1 - fy) + bottom * fy;
      }
    }
  }
  return { image: { width: size, height: size, data: out }, box };
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, v));
}
