// A model's run times as a small SVG histogram for the popup's one-click benchmark: twelve bins
// from the fastest run to the slowest, the median marked, labelled for screen readers.

const SVG = 'http://www.w3.org/2000/svg';
const BINS = 12;

export interface LatencySummary {
  readonly runs: number;
  readonly min: number;
  readonly p50: number;
  readonly max: number;
}

export function summarize(times: readonly number[]): LatencySummary {
  const sorted = [...times].sort((a, b) => a - b);
  return { runs: sorted.length, min: sorted[0], p50: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted[sorted.length - 1] };
}

export const ms = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

function node<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string): SVGElementTagNameMap[K] {
  const n = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) n.setAttribute(k, String(v));
  if (text !== undefined) n.textContent = text;
  return n;
}

export function latencyChart(times: readonly number[], width = 300, height = 64): SVGSVGElement {
  const s = summarize(times);
  const span = s.max - s.min || 1;
  const counts = new Array<number>(BINS).fill(0);
  for (const t of times) counts[Math.min(BINS - 1, Math.floor(((t - s.min) / span) * BINS))]++;
  const top = Math.max(...counts);
  const plotH = height - 16; // room for the axis labels
  const barW = width / BINS;
  const svg = node('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'latency-chart' });
  svg.setAttribute('aria-label', `Run times of ${s.runs} runs: median ${ms(s.p50)} ms, fastest ${ms(s.min)} ms, slowest ${ms(s.max)} ms`);
  svg.dataset.runs = String(s.runs);
  svg.dataset.p50 = String(s.p50);
  counts.forEach((c, i) => {
    if (c === 0) return;
    const h = (c / top) * (plotH - 2);
    svg.append(node('rect', { x: i * barW + 1, y: plotH - h, width: barW - 2, height: h, class: 'bar' }));
  });
  const x50 = ((s.p50 - s.min) / span) * (width - 2) + 1;
  svg.append(node('line', { x1: x50, x2: x50, y1: 0, y2: plotH, class: 'p50' }));
  svg.append(node('text', { x: 0, y: height - 3, class: 'axis' }, `${ms(s.min)} ms`));
  svg.append(node('text', { x: width, y: height - 3, class: 'axis', 'text-anchor': 'end' }, `${ms(s.max)} ms`));
  return svg;
}
