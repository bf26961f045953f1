// Number ⇄ text for Cast to and from string tensors. Text follows numpy's str(): shortest digits
// that read back to the same value in the source type, Python's layout ("1.0", "1e-05", "inf").

import { f32ToBf16, f32ToF16, type DType } from '../../tensor';

/** ONNX's spellings: "INF"/"+INF"/"-INF"/"NaN" in any case, plain and scientific decimals. */
export function parseNumber(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === '' || t === 'nan' || t === '+nan' || t === '-nan') return NaN;
  if (t === 'true') return 1;
  if (t === 'false') return 0;
  return Number(t);
}

/** Whether two numbers are one value once stored in `type` (float16 and bfloat16 via their bits). */
function sameIn(type: DType, a: number, b: number): boolean {
  if (type === 'float16') return f32ToF16(a) === f32ToF16(b);
  if (type === 'bfloat16') return f32ToBf16(a) === f32ToBf16(b);
  return Math.fround(a) === Math.fround(b);
}

/** The fewest significant digits that read back to `v` at the type's precision, as d.ddde±x. */
function shortestExponential(v: number, type: DType): string {
  if (type === 'float64') return v.toExponential(); // JS already gives the shortest for doubles
  for (let p = 1; p < 17; p++) {
    const s = v.toExponential(p - 1);
    if (sameIn(type, Number(s), v)) return s;
  }
  return v.toExponential();
}

/** Python's repr layout from d.ddde±x: fixed between 1e-4 and 1e16, else scientific. */
function pythonLayout(exp: string): string {
  const [mant, e] = exp.split('e');
  const digits = mant.replace('-', '').replace('.', '');
  const sign = mant.startsWith('-') ? '-' : '';
  const x = Number(e);
  if (x < -4 || x >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${x < 0 ? '-' : '+'}${String(Math.abs(x)).padStart(2, '0')}`;
  }
  if (x < 0) return `${sign}0.${'0'.repeat(-x - 1)}${digits}`;
  const int = digits.slice(0, x + 1).padEnd(x + 1, '0');
  const frac = digits.slice(x + 1);
  return `${sign}${int}.${frac || '0'}`;
}

/** An element as numpy's str() writes it; integers (and bigints) plainly. */
export function formatNumber(v: number | bigint, type: DType): string {
  if (typeof v === 'bigint') return v.toString();
  if (type !== 'float32' && type !== 'float64' && type !== 'float16' && type !== 'bfloat16') return String(v);
  if (Number.isNaN(v)) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0.0' : '0.0';
  return pythonLayout(shortestExponential(v, type));
}
