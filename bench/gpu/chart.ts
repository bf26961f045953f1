// A small grouped horizontal bar chart as SVG, log-scaled (run times span 0.3 ms to seconds),
// built from typed element helpers so that every label is escaped.

export interface Series {
  readonly label: string;
  readonly color: string;
  /** one value per group; undefined draws no bar */
  readonly values: readonly (number | undefined)[];
}

export interface ChartSpec {
  readonly title: string;
  readonly groups: readonly string[];
  readonly series: readonly Series[];
}

type Attrs = Record<string, string | number>;

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function el(tag: string, attrs: Attrs, children: readonly string[] = []): string {
  const a = Object.entries(attrs).map(([k, v]) => ` ${k}="${escape(String(v))}"`).join('');
  return children.length ? `<${tag}${a}>${children.join('')}</${tag}>` : `<${tag}${a}/>`;
}

const text = (x: number, y: number, s: string, attrs: Attrs = {}) => el('text', { x, y, ...attrs }, [escape(s)]);

const fmt = (v: number) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function barChart(spec: ChartSpec): string {
  const bar = 14, gap = 3, groupGap = 18, left = 130, right = 70, plotW = 520, top = 48;
  const legendH = 18 * Math.ceil(spec.series.length / 2);
  const values = spec.series.flatMap((s) => s.values).filter((v): v is number => v !== undefined && v > 0 && Number.isFinite(v));
  const lo = Math.floor(Math.log10(values.length ? Math.min(...values) : 0.1));
  const hi = Math.max(lo + 1, Math.ceil(Math.log10(values.length ? Math.max(...values) : 10)));
  const x = (v: number) => left + ((Math.log10(v) - lo) / (hi - lo)) * plotW;
  const groupH = spec.series.length * (bar + gap) + groupGap;
  const plotTop = top + legendH;
  const height = plotTop + spec.groups.length * groupH + 30;
  const width = left + plotW + right;
  const parts: string[] = [el('rect', { x: 0, y: 0, width, height, fill: '#ffffff' })];
  parts.push(text(left, 22, spec.title, { 'font-size': 14, 'font-weight': 'bold' }));
  spec.series.forEach((s, i) => {
    const lx = left + (i % 2) * 260, ly = top + 18 * Math.floor(i / 2) - 12;
    parts.push(el('rect', { x: lx, y: ly, width: 12, height: 12, fill: s.color }), text(lx + 18, ly + 10, s.label));
  });
  const axisY = plotTop + spec.groups.length * groupH;
  for (let p = lo; p <= hi; p++) {
    const v = 10 ** p;
    parts.push(el('line', { x1: x(v), y1: plotTop - 4, x2: x(v), y2: axisY, stroke: '#dee2e6' }));
    parts.push(text(x(v), axisY + 16, p >= 0 ? String(v) : v.toFixed(-p), { 'text-anchor': 'middle', fill: '#495057' }));
  }
  spec.groups.forEach((g, gi) => {
    const gy = plotTop + gi * groupH;
    parts.push(text(left - 8, gy + (spec.series.length * (bar + gap)) / 2 + 4, g, { 'text-anchor': 'end', 'font-weight': 'bold' }));
    spec.series.forEach((s, si) => {
      const v = s.values[gi];
      const y = gy + si * (bar + gap);
      if (v === undefined || !(v > 0) || !Number.isFinite(v)) {
        parts.push(text(left + 4, y + bar - 3, 'not measured', { fill: '#adb5bd' }));
        return;
      }
      const w = Math.max(1, x(v) - left);
      parts.push(el('rect', { x: left, y, width: w, height: bar, fill: s.color }, [el('title', {}, [escape(`${s.label}: ${fmt(v)} ms`)])]));
      parts.push(text(left + w + 4, y + bar - 3, `${fmt(v)} ms`, { fill: '#212529' }));
    });
  });
  return el('svg', { xmlns: 'http://www.w3.org/2000/svg', width, height, viewBox: `0 0 ${width} ${height}`, 'font-family': 'sans-serif', 'font-size': 11 }, parts) + '\n';
}
