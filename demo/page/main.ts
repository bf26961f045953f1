// The demo page's script: letterboxes the sample photo to 128×128 on a canvas, runs BlazeFace
// through `window.kiln`, and draws the faces (box and six keypoints) over the photo. It leaves
// its result in `window.kilnDemo` and `body[data-state]` for demo/start.ts to read.

/// <reference path="../../types/kiln.d.ts" />
import { BLAZEFACE_SIZE, detectFaces, KEYPOINT_NAMES, letterbox, toImagePixels, type Face } from '../blazeface';
import { rgbaToInput } from '../input';
import type { DemoConfig, DemoResult } from './result';

declare global {
  interface Window {
    kilnDemo?: DemoResult;
  }
}

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

function setStatus(text: string): void {
  $('status').textContent = text;
}

async function loadImage(src: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = src;
  await img.decode();
  return img;
}

/** window.kiln is defined at document_start by the extension; give it a moment, then say so. */
async function waitForKiln(timeoutMs = 5000): Promise<Kiln> {
  const start = performance.now();
  while (!('kiln' in window)) {
    if (performance.now() - start > timeoutMs) throw new Error('window.kiln is missing: is the Kiln extension installed and enabled for this page?');
    await new Promise((r) => setTimeout(r, 50));
  }
  return window.kiln;
}

/** The model's input: the photo scaled to fit 128×128, centred on black. */
function modelInput(img: HTMLImageElement): { data: Float32Array; box: ReturnType<typeof letterbox> } {
  const box = letterbox(img.naturalWidth, img.naturalHeight, BLAZEFACE_SIZE);
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = BLAZEFACE_SIZE;
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.fillStyle = '#000';
  ctx.fillRect(0, 0, BLAZEFACE_SIZE, BLAZEFACE_SIZE);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(img, box.padX, box.padY, img.naturalWidth * box.scale, img.naturalHeight * box.scale);
  const pixels = ctx.getImageData(0, 0, BLAZEFACE_SIZE, BLAZEFACE_SIZE);
  return { data: rgbaToInput(pixels), box };
}

function draw(img: HTMLImageElement, faces: readonly Face[]): void {
  const canvas = $<HTMLCanvasElement>('view');
  canvas.width = img.naturalWidth;
  canvas.height = img.naturalHeight;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(img, 0, 0);
  const line = Math.max(2, Math.round(img.naturalWidth / 200));
  faces.forEach((f, i) => {
    ctx.strokeStyle = '#22c55e';
    ctx.lineWidth = line;
    ctx.strokeRect(f.x, f.y, f.width, f.height);
    // The label sits on a filled tab above the box so that it reads on any background.
    const label = `${i + 1} · ${(f.score * 100).toFixed(0)}%`;
    ctx.font = `600 ${6 * line}px system-ui, sans-serif`;
    const tabHeight = 8 * line;
    ctx.fillStyle = '#22c55e';
    ctx.fillRect(f.x - line / 2, f.y - tabHeight, ctx.measureText(label).width + 3 * line, tabHeight);
    ctx.fillStyle = '#052e16';
    ctx.fillText(label, f.x + line, f.y - 2 * line);
    f.keypoints.forEach((p, k) => {
      ctx.beginPath();
      ctx.arc(p.x, p.y, 1.5 * line, 0, 2 * Math.PI);
      ctx.fillStyle = k < 2 ? '#38bdf8' : k < 4 ? '#f472b6' : '#facc15';
      ctx.fill();
    });
  });
}

function report(result: DemoResult): void {
  const rows = result.faces.map((f, i) => {
    const tr = document.createElement('tr');
    tr.title = f.keypoints.map((p, k) => `${KEYPOINT_NAMES[k]} (${p.x.toFixed(0)}, ${p.y.toFixed(0)})`).join('\n');
    for (const text of [`${i + 1}`, f.score.toFixed(3), [f.x, f.y, f.width, f.height].map((v) => v.toFixed(0)).join(', ')]) {
      tr.appendChild(document.createElement('td')).textContent = text;
    }
    return tr;
  });
  $('faces').querySelector('tbody')!.replaceChildren(...rows);
  const timing: [string, string][] = [
    ['backend', result.backend],
    ['create', `${result.createMs.toFixed(1)} ms`],
    ['run', `${result.runMs.toFixed(1)} ms`],
    ['image', `${result.imageWidth}×${result.imageHeight}`],
  ];
  $('timing').replaceChildren(...timing.flatMap(([k, v]) => [Object.assign(document.createElement('dt'), { textContent: k }), Object.assign(document.createElement('dd'), { textContent: v })]));
}

async function main(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as DemoConfig;
  $('attribution').textContent = `Photo: ${config.attribution}`;
  const img = await loadImage(config.image);
  draw(img, []);
  setStatus('Waiting for the Kiln extension…');
  const kiln = await waitForKiln();
  setStatus('Creating a BlazeFace session…');
  let t = performance.now();
  const session = await kiln.create('blazeface');
  const createMs = performance.now() - t;
  try {
    const { data, box } = modelInput(img);
    setStatus('Running…');
    t = performance.now();
    const outputs = await session.run({ 'input:0': { type: 'float32', data, dims: [1, BLAZEFACE_SIZE, BLAZEFACE_SIZE, 3] } });
    const runMs = performance.now() - t;
    const faces = detectFaces(outputs).map((f) => toImagePixels(f, box));
    const result: DemoResult = { faces, createMs, runMs, backend: session.backend, imageWidth: img.naturalWidth, imageHeight: img.naturalHeight };
    draw(img, faces);
    report(result);
    setStatus(`${faces.length} face${faces.length === 1 ? '' : 's'} found in ${runMs.toFixed(0)} ms.`);
    window.kilnDemo = result;
    document.body.dataset.state = 'done';
  } finally {
    await session.destroy();
  }
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  setStatus(message);
  window.kilnDemo = { error: message, faces: [], createMs: 0, runMs: 0, backend: '', imageWidth: 0, imageHeight: 0 };
  document.body.dataset.state = 'error';
});
