// String ops: StringConcat, StringSplit, StringNormalizer and RegexFullMatch.

import type { TensorType } from '../../ir/graph';
import { dataFrom, tensor } from '../../tensor';
import { broadcastIndex, broadcastShapes } from '../broadcast';
import { defineOp, NotSupportedOpError, OpError, type OpSpec } from '../spec';
import { needStrings } from './util';

const stringType = (shape: TensorType['shape']): TensorType => ({ kind: 'tensor', dtype: 'string', shape });

const stringConcat = defineOp<null>({
  op: 'StringConcat',
  attrs: () => null,
  infer: () => [stringType(null)],
  run: (inputs) => {
    const a = needStrings('StringConcat', inputs[0], 'X'), b = needStrings('StringConcat', inputs[1], 'Y');
    const dims = broadcastShapes('StringConcat', [a.t.dims, b.t.dims]);
    const ia = broadcastIndex(a.t.dims, dims), ib = broadcastIndex(b.t.dims, dims);
    const out = Array.from(ia, (i, k) => a.s[i] + b.s[ib[k]]);
    return [tensor('string', dims, out)];
  },
});

/** Python's str.split(sep, maxsplit): sep undefined splits on whitespace runs, dropping empties. */
function pySplit(s: string, sep: string | undefined, maxsplit: number): string[] {
  const limit = maxsplit < 0 ? Infinity : maxsplit;
  if (sep === undefined) {
    const out: string[] = [];
    let rest = s.replace(/^\s+/, '');
    while (rest.length > 0) {
      if (out.length >= limit) {
        out.push(rest);
        break;
      }
      const m = /\s+/.exec(rest);
      if (!m) {
        out.push(rest);
        break;
      }
      out.push(rest.slice(0, m.index));
      rest = rest.slice(m.index + m[0].length);
    }
    return out;
  }
  const out: string[] = [];
  let start = 0;
  while (out.length < limit) {
    const k = s.indexOf(sep, start);
    if (k < 0) break;
    out.push(s.slice(start, k));
    start = k + sep.length;
  }
  out.push(s.slice(start));
  return out;
}

const stringSplit = defineOp<{ delimiter: string | undefined; maxsplit: number }>({
  op: 'StringSplit',
  attrs: (a) => ({ delimiter: a.string('delimiter') || undefined, maxsplit: a.int('maxsplit', -1) }),
  infer: (inputs) => {
    const s = inputs[0]?.shape ?? null;
    return [stringType(s ? [...s, null] : null), { kind: 'tensor', dtype: 'int64', shape: s }];
  },
  run: (inputs, at) => {
    const x = needStrings('StringSplit', inputs[0], 'X');
    const parts = x.s.map((s) => pySplit(s, at.delimiter, at.maxsplit));
    const width = parts.reduce((m, p) => Math.max(m, p.length), 0);
    const out = new Array<string>(parts.length * width).fill('');
    parts.forEach((p, i) => p.forEach((w, j) => (out[i * width + j] = w)));
    return [
      tensor('string', [...x.t.dims, width], out),
      tensor('int64', x.t.dims, dataFrom('int64', parts.map((p) => p.length))),
    ];
  },
});

interface NormalizerAttrs {
  readonly caseAction: 'LOWER' | 'UPPER' | 'NONE';
  readonly caseSensitive: boolean;
  readonly stopwords: readonly string[];
}

const stringNormalizer = defineOp<NormalizerAttrs>({
  op: 'StringNormalizer',
  attrs: (a) => {
    const c = a.string('case_change_action', 'NONE');
    if (c !== 'LOWER' && c !== 'UPPER' && c !== 'NONE') throw new OpError('StringNormalizer', `unknown case_change_action '${c}'`);
    return { caseAction: c, caseSensitive: a.int('is_case_sensitive', 0) !== 0, stopwords: a.strings('stopwords') ?? [] };
  },
  infer: (inputs) => [stringType(inputs[0]?.shape ? inputs[0].shape.map(() => null) : null)],
  run: (inputs, at) => {
    const op = 'StringNormalizer';
    const x = needStrings(op, inputs[0], 'X');
    const d = x.t.dims;
    if (!(d.length === 1 || (d.length === 2 && d[0] === 1))) {
      throw new NotSupportedOpError(op, `input must be [C] or [1, C], got [${d.join(',')}]`);
    }
    const key = (s: string) => (at.caseSensitive ? s : s.toLowerCase());
    const stops = new Set(at.stopwords.map(key));
    const change = (s: string) => (at.caseAction === 'LOWER' ? s.toLowerCase() : at.caseAction === 'UPPER' ? s.toUpperCase() : s);
    let kept = x.s.filter((s) => !stops.has(key(s))).map(change);
    kept = kept.filter((s) => s.length > 0);
    if (kept.length === 0) kept = ['']; // an empty result is one empty string, per the spec
    return [tensor('string', d.length === 1 ? [kept.length] : [1, kept.length], kept)];
  },
});

/**
 * RegexFullMatch (opset 20) with JavaScript RegExp in place of RE2. The two agree on the common
 * syntax (classes, \w \d \s \b, groups, alternation, bounded repeats); RE2-only constructs such as
 * (?P<name>...), \C, \pN without braces, or possessive-free guarantees are not translated, and
 * JS adds lookarounds/backreferences RE2 would reject.
 */
const regexFullMatch = defineOp<{ pattern: string }>({
  op: 'RegexFullMatch',
  attrs: (a) => {
    const p = a.string('pattern');
    if (p === undefined) throw new OpError('RegexFullMatch', `the 'pattern' attribute is required`);
    return { pattern: p };
  },
  infer: (inputs) => [{ kind: 'tensor', dtype: 'bool', shape: inputs[0]?.shape ?? null }],
  run: (inputs, at) => {
    const x = needStrings('RegexFullMatch', inputs[0], 'X');
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${at.pattern})$`);
    } catch (e) {
      throw new OpError('RegexFullMatch', `invalid pattern '${at.pattern}': ${(e as Error).message}`);
    }
    return [tensor('bool', x.t.dims, dataFrom('bool', x.s.map((s) => re.test(s))))];
  },
});

export const stringOps: OpSpec[] = [stringConcat, stringSplit, stringNormalizer, regexFullMatch];
