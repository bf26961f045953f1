// The validators: good requests pass with their typed arrays intact; every kind of bad request
// fails with the DOMException name and a message that says what was expected.

import { describe, expect, it } from 'vitest';
import { LIMITS } from './limits';
import { parsePageRequest, parsePopupRequest, parsePromptRequest } from './schemas';

const good = (data: unknown, dims: number[] = [2, 2], type = 'float32') => ({ kind: 'run', id: 1, session: 'abc-123', feeds: { x: { type, dims, data } } });

function problem(raw: unknown) {
  const r = parsePageRequest(raw);
  if (r.ok) throw new Error('expected a failure');
  return r;
}

describe('parsePageRequest', () => {
  it('accepts each request kind, keeping the typed array itself', () => {
    const data = new Float32Array(4);
    const r = parsePageRequest(good(data));
    expect(r.ok).toBe(true);
    if (r.ok && r.request.kind === 'run') expect(r.request.feeds.x.data).toBe(data);
    for (const raw of [
      { kind: 'availability', id: 0, model: 'blazeface' },
      { kind: 'create', id: 2, model: 'ppocr-cls', backend: 'auto' },
      { kind: 'destroy', id: 3, session: 'abc' },
      { kind: 'cancel', id: 4, target: 3 },
    ]) {
      expect(parsePageRequest(raw).ok, JSON.stringify(raw)).toBe(true);
    }
  });

  it('pairs each dtype with its typed array', () => {
    expect(parsePageRequest(good(new BigInt64Array(4), [4], 'int64')).ok).toBe(true);
    expect(parsePageRequest(good(new Uint8Array(4), [4], 'bool')).ok).toBe(true);
    expect(parsePageRequest(good(new Uint16Array(4), [4], 'float16')).ok).toBe(true);
    const p = problem(good(new Int32Array(4), [4], 'int64'));
    expect(p.problem).toEqual({ name: 'DataError', message: "input 'x': a int64 tensor must carry its data in a BigInt64Array, got Int32Array" });
    expect(problem(good([1, 2, 3, 4], [4])).problem.message).toContain('Float32Array, got a plain Array');
    expect(problem(good(new Float32Array(4), [4], 'string')).problem.message).toMatch(/type must be one of float32, .*bool/);
  });

  it('checks the data length against the product of dims', () => {
    expect(problem(good(new Float32Array(3))).problem).toEqual({ name: 'DataError', message: "input 'x': dims [2,2] need 4 elements, data has 3" });
  });

  it('bounds dims: integers, non-negative, rank', () => {
    expect(problem(good(new Float32Array(4), [2, 2.5])).problem.message).toContain('each dim must be an integer');
    expect(problem(good(new Float32Array(4), [-1, -4])).problem.message).toContain('each dim must be an integer');
    expect(problem(good(new Float32Array(1), new Array(LIMITS.maxRank + 1).fill(1))).problem.message).toContain(`rank ${LIMITS.maxRank + 1} is over the limit of ${LIMITS.maxRank}`);
  });

  it('bounds bytes: an oversized tensor is QuotaExceededError quoting the limit, checked before the data', () => {
    const p = problem(good(new Float32Array(1), [1024, 1024, 9]));
    expect(p.problem.name).toBe('QuotaExceededError');
    expect(p.problem.message).toContain(String(LIMITS.maxTensorBytes));
    expect(p.id).toBe(1);
  });

  it('bounds the buffer under a small view (a clone would carry all of it)', () => {
    const big = new Float32Array(LIMITS.maxTensorBytes / 4 + 1);
    const p = problem(good(big.subarray(0, 4)));
    expect(p.problem.name).toBe('QuotaExceededError');
  });

  it('bounds the number of feeds and the total bytes', () => {
    const feeds: Record<string, unknown> = {};
    for (let i = 0; i <= LIMITS.maxFeeds; i++) feeds[`f${i}`] = { type: 'uint8', dims: [1], data: new Uint8Array(1) };
    expect(problem({ kind: 'run', id: 1, session: 's', feeds }).problem.message).toContain(`over the limit of ${LIMITS.maxFeeds}`);
    const big: Record<string, unknown> = {};
    for (let i = 0; i < 2; i++) big[`f${i}`] = { type: 'uint8', dims: [LIMITS.maxTensorBytes], data: new Uint8Array(LIMITS.maxTensorBytes) };
    expect(problem({ kind: 'run', id: 1, session: 's', feeds: big }).problem.name).toBe('QuotaExceededError');
    expect(problem({ kind: 'run', id: 1, session: 's', feeds: {} }).problem.message).toContain('at least one input');
  });

  it('rejects malformed envelopes with DataError, salvaging the id when there is one', () => {
    expect(problem('garbage')).toMatchObject({ id: null, problem: { name: 'DataError' } });
    expect(problem(null)).toMatchObject({ id: null });
    expect(problem({ kind: 'launch', id: 9 })).toMatchObject({ id: 9, problem: { name: 'DataError' } });
    expect(problem({ kind: 'launch', id: 9 }).problem.message).toContain("malformed page request 'launch'");
    expect(problem({ kind: 'create', id: -1, model: 'm', backend: 'auto' }).id).toBeNull();
    expect(problem({ kind: 'create', id: 1.5, model: 'm', backend: 'auto' }).id).toBeNull();
    expect(problem({ kind: 'create', id: 5, model: 'x'.repeat(LIMITS.maxIdLength + 1), backend: 'auto' }).problem.message).toContain('model');
    expect(problem({ kind: 'create', id: 5, model: '../etc/passwd', backend: 'auto' }).problem.message).toContain('model id');
    expect(problem({ kind: 'run', id: 5, session: 'a b', feeds: {} }).problem.message).toContain('session');
  });
});

describe('model references', () => {
  const create = (model: unknown) => ({ kind: 'create', id: 1, model, backend: 'auto' });
  const sha = 'AB'.repeat(32);

  it('takes a catalog id, or an https (or local http) URL with an optional sha256, lowercased', () => {
    for (const model of ['blazeface', { url: 'https://models.example/m.onnx' }, { url: 'http://127.0.0.1:8080/m.onnx', sha256: sha }, { url: 'http://localhost/m.onnx' }]) {
      expect(parsePageRequest(create(model)).ok, JSON.stringify(model)).toBe(true);
    }
    const r = parsePageRequest(create({ url: 'https://models.example/m.onnx', sha256: sha }));
    if (r.ok && r.request.kind === 'create' && typeof r.request.model !== 'string') expect(r.request.model.sha256).toBe(sha.toLowerCase());
    else throw new Error('expected a URL model');
  });

  it('refuses other schemes, remote http, credentials, bad hashes, extra keys and long URLs with DataError saying what was expected', () => {
    const cases: [unknown, string][] = [
      [{ url: 'http://models.example/m.onnx' }, 'https URL'],
      [{ url: 'file:///etc/passwd' }, 'https URL'],
      [{ url: 'https://user:pw@models.example/m.onnx' }, 'credentials'],
      [{ url: 'not a url' }, 'absolute URL'],
      [{ url: 'https://models.example/m.onnx', sha256: 'abc' }, '64 hex digits'],
      [{ url: 'https://models.example/m.onnx', integrity: 'x' }, ''],
      [{ url: `https://models.example/${'a'.repeat(LIMITS.maxUrlLength)}` }, ''],
      [{ sha256: sha }, ''],
    ];
    for (const [model, says] of cases) {
      const p = problem(create(model));
      expect(p.problem.name, JSON.stringify(model).slice(0, 80)).toBe('DataError');
      expect(p.problem.message).toContain(says);
    }
  });
});

describe('parsePromptRequest', () => {
  it('accepts the prompt window\'s two requests and its three answers only', () => {
    expect(parsePromptRequest({ kind: 'prompt.get', id: 1, prompt: 'abc-1' }).ok).toBe(true);
    for (const answer of ['once', 'always', 'deny']) expect(parsePromptRequest({ kind: 'prompt.answer', id: 1, prompt: 'abc-1', answer }).ok).toBe(true);
    expect(parsePromptRequest({ kind: 'prompt.answer', id: 1, prompt: 'abc-1', answer: 'forever' }).ok).toBe(false);
    expect(parsePromptRequest({ kind: 'create', id: 1, model: 'blazeface', backend: 'auto' }).ok).toBe(false);
  });
});

describe('parsePopupRequest', () => {
  it('accepts models.status and nothing a page would send', () => {
    expect(parsePopupRequest({ kind: 'models.status', id: 1 }).ok).toBe(true);
    expect(parsePopupRequest({ kind: 'availability', id: 1, model: 'blazeface' }).ok).toBe(false);
  });
});
