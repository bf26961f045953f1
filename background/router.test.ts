// The worker's logic in Node, behind fake connections: origin binding, error names for bad feeds
// and corrupt models, cancellation of queued work, progress, quotas, rebuilding a session after a
// simulated worker restart (a new table over the same descriptor store and database), grants, and
// installs from a URL. Fixtures: fake-indexeddb for IndexedDB, a scripted answer for the prompt
// window, a fetch that serves bytes from memory.

import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { LIMITS, type Reply } from '../protocol';
import { CATALOG, findModel } from '../models/catalog';
import { readCatalogModel } from '../models/copy-models';
import { pageHandlers } from './handlers/page';
import { popupHandlers } from './handlers/popup';
import type { FetchModelBytes } from './model-bytes';
import { promptHandlers } from './handlers/prompt';
import { ModelLibrary } from './library';
import { Lanes } from './lanes';
import { Permissions, type AskUser } from './permissions';
import { openKilnDb } from './store/db';
import { GrantStore } from './store/grants';
import { ModelStore } from './store/models';
import type { PromptDetails } from '../protocol';
import type { PromptOutcome } from './permissions';
import { SerialQueue } from './queue';
import { createRouter } from './router';
import { SessionTable } from './session-table';
import { CompiledSessions, compiledSessions } from './compiled-sessions';
import { memorySessionStore, type SessionStore } from './session-store';
import type { Channel, Connection } from './transport';
import type { InferenceSession } from '../runtime/session';

const fromNodeModules: FetchModelBytes = async (m) => readCatalogModel(m);

interface WorkerFixture {
  store?: SessionStore;
  fetchBytes?: FetchModelBytes;
  /** the browser profile's IndexedDB: shared by the workers of a restart test */
  idb?: IDBFactory;
  /** the user's answer to each prompt (default: always) */
  answer?: (d: PromptDetails) => PromptOutcome;
  /** what fetch serves by URL */
  web?: Record<string, Uint8Array>;
  /** a fetch of its own instead (e.g. one that stalls) */
  fetch?: typeof fetch;
}

/** A fetch whose body sends its first 64 KiB, then stalls until `release()`. */
function stallingFetch(body: Uint8Array) {
  let release = () => {};
  const released = new Promise<void>((r) => (release = r));
  const fetchImpl: typeof fetch = async () =>
    new Response(new ReadableStream<Uint8Array>({
      async start(c) {
        c.enqueue(body.slice(0, 65536));
        await released;
        c.enqueue(body.slice(65536));
        c.close();
      },
    }), { headers: { 'content-length': String(body.byteLength) } });
  return { fetchImpl, release };
}

function serve(web: Record<string, Uint8Array>): typeof fetch {
  return async (input) => {
    const body = web[String(input)];
    if (!body) return new Response('not found', { status: 404 });
    // in pieces, as a network delivers it
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (let i = 0; i < body.byteLength; i += 65536) c.enqueue(body.slice(i, i + 65536));
        c.close();
      },
    });
    return new Response(stream, { headers: { 'content-length': String(body.byteLength) } });
  };
}

function worker(f: WorkerFixture = {}) {
  const asked: PromptDetails[] = [];
  const ask: AskUser = async (d) => {
    asked.push(d);
    return f.answer?.(d) ?? 'always';
  };
  const deps = {} as { library: ModelLibrary; permissions: Permissions; compiled: CompiledSessions };
  const lanes = new Lanes();
  const queue = new SerialQueue();
  /** every engine session the table opened, in order */
  const opened: InferenceSession[] = [];
  const sessions = new SessionTable(f.store ?? memorySessionStore(), {
    open: async (id, backend) => {
      const { session } = await deps.compiled.open(id, backend);
      opened.push(session);
      return session;
    },
    ran: (session) => deps.compiled.ran(session),
  });
  const ready = (async () => {
    const db = await openKilnDb(f.idb ?? new IDBFactory());
    deps.library = new ModelLibrary(new ModelStore(db), f.fetchBytes ?? fromNodeModules, f.fetch ?? serve(f.web ?? {}));
    deps.permissions = new Permissions(new GrantStore(db), ask);
    deps.compiled = compiledSessions(db, deps.library);
    await sessions.init();
  })();
  const router = createRouter({
    ready,
    page: pageHandlers({ sessions, queue, get library() { return deps.library; }, get permissions() { return deps.permissions; }, lanes }),
    popup: popupHandlers({ sessions, queue, get library() { return deps.library; }, get compiled() { return deps.compiled; } }),
    // the prompt window's channel is exercised in the browser (e2e/grants.e2e.test.ts)
    prompt: promptHandlers(undefined as never),
    onClose: (c) => void sessions.dropOwnedBy(c),
  });
  return { router, sessions, asked, lanes, opened };
}

/** A connection whose replies we can await by request id. */
function connect(w: ReturnType<typeof worker>, origin: string, channel: Channel = 'page') {
  let onMessage: (raw: unknown) => void = () => {};
  let onClose: () => void = () => {};
  const replies: Reply[] = [];
  const waiters: (() => void)[] = [];
  const conn: Connection = {
    channel,
    origin,
    label: origin,
    send: (r) => {
      replies.push(r);
      waiters.splice(0).forEach((f) => f());
    },
    onMessage: (l) => void (onMessage = l),
    onClose: (l) => void (onClose = l),
  };
  w.router.accept(conn);
  let nextId = 1;
  const reply = async (id: number | null): Promise<Reply> => {
    for (;;) {
      const r = replies.find((x) => x.id === id && x.kind !== 'progress');
      if (r) return r;
      await new Promise<void>((f) => waiters.push(f));
    }
  };
  return {
    replies,
    close: () => onClose(),
    post: (raw: unknown) => onMessage(raw),
    async ask(body: Record<string, unknown>): Promise<Reply> {
      const id = nextId++;
      onMessage({ ...body, id });
      return reply(id);
    },
    reply,
    nextId: () => nextId++,
  };
}

const ppocrFeeds = (fill = 0.5, dims = [1, 3, 48, 192]) => ({ x: { type: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(fill) } });

async function createSession(c: ReturnType<typeof connect>, model = 'ppocr-cls'): Promise<string> {
  const r = await c.ask({ kind: 'create', model, backend: 'auto' });
  if (r.kind !== 'result') throw new Error(`create failed: ${JSON.stringify(r)}`);
  return (r.value as { session: string }).session;
}

describe('the worker router', () => {
  it('creates, runs and destroys a session, reporting progress first', async () => {
    const w = worker();
    const c = connect(w, 'https://a.example');
    const created = await c.ask({ kind: 'create', model: 'ppocr-cls', backend: 'auto' });
    expect(created).toMatchObject({ kind: 'result', value: { model: 'ppocr-cls', backend: 'reference', inputs: [{ name: 'x', type: 'float32' }] } });
    const progress = c.replies.filter((r) => r.kind === 'progress');
    expect(progress.map((p) => p.kind === 'progress' && [p.loaded, p.total])).toEqual([
      [0, findModel('ppocr-cls')!.bytes],
      [findModel('ppocr-cls')!.bytes, findModel('ppocr-cls')!.bytes],
    ]);
    const session = (created as { value: { session: string } }).value.session;
    const ran = await c.ask({ kind: 'run', session, feeds: ppocrFeeds() });
    expect(ran.kind).toBe('result');
    const out = (ran as { value: { outputs: Record<string, { data: Float32Array; dims: number[] }> } }).value.outputs['softmax_0.tmp_0'];
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(out.dims).toEqual([1, 2]);
    expect(out.data[0] + out.data[1]).toBeCloseTo(1, 5);
    expect(await c.ask({ kind: 'destroy', session })).toMatchObject({ kind: 'result' });
    // the engine session's memory went with it
    await expect(w.opened[0].run(ppocrFeeds() as never)).rejects.toThrow(/released/);
    expect(await c.ask({ kind: 'run', session, feeds: ppocrFeeds() })).toMatchObject({ kind: 'error', name: 'InvalidStateError' });
  });

  it("keeps origins apart: another origin's session id is InvalidStateError", async () => {
    const w = worker();
    const a = connect(w, 'https://a.example');
    const b = connect(w, 'https://b.example');
    const session = await createSession(a);
    const r = await b.ask({ kind: 'run', session, feeds: ppocrFeeds() });
    expect(r).toMatchObject({ kind: 'error', name: 'InvalidStateError' });
    expect(await b.ask({ kind: 'destroy', session })).toMatchObject({ kind: 'error', name: 'InvalidStateError' });
    expect((await a.ask({ kind: 'run', session, feeds: ppocrFeeds() })).kind).toBe('result');
  });

  it('maps engine errors: wrong shape → DataError from FeedError', async () => {
    const w = worker();
    const c = connect(w, 'https://a.example');
    const session = await createSession(c);
    const r = await c.ask({ kind: 'run', session, feeds: ppocrFeeds(0, [1, 4, 48, 192]) });
    expect(r).toMatchObject({ kind: 'error', name: 'DataError' });
    const wrongName = await c.ask({ kind: 'run', session, feeds: { y: ppocrFeeds().x } });
    expect(wrongName).toMatchObject({ kind: 'error', name: 'DataError' });
    expect((wrongName as { message: string }).message).toContain("'x'");
  });

  it('a corrupt model is DataError, and the worker serves other models afterwards', async () => {
    const corrupt: FetchModelBytes = async (m) => (m.id === 'blazeface' ? new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) : readCatalogModel(m));
    const w = worker({ fetchBytes: corrupt });
    const c = connect(w, 'https://a.example');
    const r = await c.ask({ kind: 'create', model: 'blazeface', backend: 'reference' });
    expect(r).toMatchObject({ kind: 'error', name: 'DataError' });
    expect((await c.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' })).kind).toBe('result');
  });

  it('unknown model → NotFoundError naming the catalog; unknown backend → NotSupportedError', async () => {
    const c = connect(worker(), 'https://a.example');
    const r = await c.ask({ kind: 'create', model: 'resnet', backend: 'auto' });
    expect(r).toMatchObject({ kind: 'error', name: 'NotFoundError' });
    for (const m of CATALOG) expect((r as { message: string }).message).toContain(`'${m.id}'`);
    expect(await c.ask({ kind: 'create', model: 'ppocr-cls', backend: 'webgpu-turbo' })).toMatchObject({ kind: 'error', name: 'NotSupportedError' });
  });

  it('cancel answers AbortError at once and drops a queued run without running it', async () => {
    const c = connect(worker(), 'https://a.example');
    const session = await createSession(c);
    const firstId = c.nextId();
    c.post({ kind: 'run', id: firstId, session, feeds: ppocrFeeds() });
    const secondId = c.nextId();
    c.post({ kind: 'run', id: secondId, session, feeds: ppocrFeeds() });
    c.post({ kind: 'cancel', id: c.nextId(), target: secondId });
    const second = await c.reply(secondId);
    expect(second).toMatchObject({ kind: 'error', name: 'AbortError' });
    expect(c.replies.some((r) => r.id === firstId)).toBe(false); // the run ahead of it is still going
    expect((await c.reply(firstId)).kind).toBe('result');
    await new Promise((r) => setTimeout(r, 50));
    expect(c.replies.filter((r) => r.id === secondId)).toHaveLength(1); // no late result
  });

  it('answers malformed messages with errors and keeps going', async () => {
    const c = connect(worker(), 'https://a.example');
    c.post({ nonsense: true });
    expect(await c.reply(null)).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(await c.ask({ kind: 'availability', model: 'blazeface' })).toMatchObject({ kind: 'result', value: { availability: 'available' } });
    expect(await c.ask({ kind: 'availability', model: 'nope' })).toMatchObject({ kind: 'result', value: { availability: 'unavailable' } });
  });

  it('rebuilds a session after a restart from the stored descriptor', async () => {
    const store = memorySessionStore();
    const idb = new IDBFactory();
    const before = connect(worker({ store, idb }), 'https://a.example');
    const session = await createSession(before);
    const want = await before.ask({ kind: 'run', session, feeds: ppocrFeeds(0.25) });
    // A new worker: fresh memory, same storage.
    const after = connect(worker({ store, idb }), 'https://a.example');
    const got = await after.ask({ kind: 'run', session, feeds: ppocrFeeds(0.25) });
    expect(got.kind).toBe('result');
    const data = (r: Reply) => Array.from((r as { value: { outputs: Record<string, { data: Float32Array }> } }).value.outputs['softmax_0.tmp_0'].data);
    expect(data(got)).toEqual(data(want));
    // ...and still only for its own origin.
    const other = connect(worker({ store, idb }), 'https://b.example');
    expect(await other.ask({ kind: 'run', session, feeds: ppocrFeeds() })).toMatchObject({ kind: 'error', name: 'InvalidStateError' });
  });

  it('limits sessions per origin (QuotaExceededError) and frees them when the page goes', async () => {
    const w = worker();
    const c = connect(w, 'https://a.example');
    for (let i = 0; i < LIMITS.maxSessionsPerOrigin; i++) await createSession(c);
    const over = await c.ask({ kind: 'create', model: 'ppocr-cls', backend: 'auto' });
    expect(over).toMatchObject({ kind: 'error', name: 'QuotaExceededError' });
    expect((over as { message: string }).message).toContain(String(LIMITS.maxSessionsPerOrigin));
    c.close();
    await new Promise((r) => setTimeout(r, 10));
    expect(w.sessions.countByModel().get('ppocr-cls') ?? 0).toBe(0);
    const again = connect(w, 'https://a.example');
    expect((await again.ask({ kind: 'create', model: 'ppocr-cls', backend: 'auto' })).kind).toBe('result');
  });

  it('asks the user once per origin and model: always is remembered, deny is NotAllowedError, once is not stored', async () => {
    const answers: Record<string, PromptOutcome> = { 'https://a.example': 'always', 'https://b.example': 'deny', 'https://c.example': 'once', 'https://d.example': 'dismissed' };
    const w = worker({ answer: (d) => answers[d.origin] });
    const [a, b, c] = ['https://a.example', 'https://b.example', 'https://c.example'].map((o) => connect(w, o));
    // two concurrent creates from one origin share one prompt
    const [r1, r2] = await Promise.all([a.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' }), a.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' })]);
    expect([r1.kind, r2.kind]).toEqual(['result', 'result']);
    expect(w.asked.map((d) => d.origin)).toEqual(['https://a.example']);
    expect(w.asked[0].model).toMatchObject({ id: 'ppocr-cls', source: 'catalog' });
    expect(await b.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' })).toMatchObject({ kind: 'error', name: 'NotAllowedError' });
    expect(await b.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' })).toMatchObject({ kind: 'error', name: 'NotAllowedError' });
    expect(w.asked.filter((d) => d.origin === 'https://b.example')).toHaveLength(1); // the denial was stored
    expect((await c.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' })).kind).toBe('result');
    expect((await c.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' })).kind).toBe('result');
    expect(w.asked.filter((d) => d.origin === 'https://c.example')).toHaveLength(2); // once is asked again
    expect((await a.ask({ kind: 'create', model: 'blazeface', backend: 'reference' })).kind).toBe('result');
    expect(w.asked.filter((d) => d.origin === 'https://a.example').map((d) => d.model.id)).toEqual(['ppocr-cls', 'blazeface']);
    // a prompt closed without an answer refuses this request and asks again next time
    const d = connect(w, 'https://d.example');
    expect(await d.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' })).toMatchObject({ kind: 'error', name: 'NotAllowedError' });
    expect(await d.ask({ kind: 'create', model: 'ppocr-cls', backend: 'reference' })).toMatchObject({ kind: 'error', name: 'NotAllowedError' });
    expect(w.asked.filter((x) => x.origin === 'https://d.example')).toHaveLength(2);
  });

  it('installs a model from a URL with progress, verified by its sha256; a bad sha256 is DataError and leaves nothing', async () => {
    const bytes = readCatalogModel(findModel('ppocr-cls')!);
    const sha = findModel('ppocr-cls')!.sha256;
    const url = 'https://models.example/cls.onnx';
    const w = worker({ web: { [url]: bytes } });
    const c = connect(w, 'https://a.example');
    const bad = { url, sha256: '0'.repeat(64) };
    expect(await c.ask({ kind: 'availability', model: bad })).toMatchObject({ kind: 'result', value: { availability: 'downloadable' } });
    const refused = await c.ask({ kind: 'create', model: bad, backend: 'reference' });
    expect(refused).toMatchObject({ kind: 'error', name: 'DataError' });
    expect((refused as { message: string }).message).toContain(sha);
    expect(await c.ask({ kind: 'availability', model: bad })).toMatchObject({ kind: 'result', value: { availability: 'downloadable' } });
    const id = c.nextId();
    c.post({ kind: 'create', id, model: { url, sha256: sha.toUpperCase() }, backend: 'reference' });
    const created = await c.reply(id);
    expect(created).toMatchObject({ kind: 'result', value: { model: sha, inputs: [{ name: 'x' }] } });
    const progress = c.replies.filter((r) => r.kind === 'progress' && r.id === id).map((r) => (r.kind === 'progress' ? r.loaded : -1));
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toBe(bytes.byteLength);
    expect(progress).toEqual([...progress].sort((x, y) => x - y));
    // a URL model is named by the sha256 the page gave: the grant is for those bytes
    expect(w.asked.map((d) => d.model)).toMatchObject([{ id: '0'.repeat(64), source: url, installed: false }, { id: sha, source: url, installed: false }]);
    expect(await c.ask({ kind: 'availability', model: { url, sha256: sha } })).toMatchObject({ kind: 'result', value: { availability: 'available' } });
    expect(await c.ask({ kind: 'create', model: { url: 'https://models.example/missing.onnx' }, backend: 'reference' })).toMatchObject({ kind: 'error', name: 'NetworkError' });
    expect(await c.ask({ kind: 'create', model: { url: 'http://models.example/cls.onnx' }, backend: 'reference' })).toMatchObject({ kind: 'error', name: 'DataError' });
  });

  it('one download serves every tab that asks: one giving up does not fail the other, who sees its progress; all giving up stops it', async () => {
    const bytes = readCatalogModel(findModel('ppocr-cls')!);
    const sha = findModel('ppocr-cls')!.sha256;
    const stall = stallingFetch(bytes);
    let fetches = 0;
    const w = worker({ fetch: (...args) => (fetches++, stall.fetchImpl(...args)) });
    const a = connect(w, 'https://a.example');
    const b = connect(w, 'https://b.example');
    const model = { url: 'https://models.example/cls.onnx', sha256: sha };
    const idA = a.nextId();
    a.post({ kind: 'create', id: idA, model, backend: 'reference' });
    while (!a.replies.some((r) => r.kind === 'progress' && r.id === idA && r.loaded > 0)) await new Promise((r) => setTimeout(r, 5));
    const idB = b.nextId();
    b.post({ kind: 'create', id: idB, model, backend: 'reference' });
    // B joins late and is told where the download stands at once
    while (!b.replies.some((r) => r.kind === 'progress' && r.id === idB && r.loaded > 0)) await new Promise((r) => setTimeout(r, 5));
    a.post({ kind: 'cancel', id: a.nextId(), target: idA });
    expect(await a.reply(idA)).toMatchObject({ kind: 'error', name: 'AbortError' });
    stall.release();
    expect(await b.reply(idB)).toMatchObject({ kind: 'result', value: { model: sha } });
    expect(b.replies.filter((r) => r.kind === 'progress' && r.id === idB).at(-1)).toMatchObject({ loaded: bytes.byteLength });
    expect(fetches).toBe(1);

    // every caller gone: the download stops and leaves nothing
    const other = { url: 'https://models.example/cls2.onnx' };
    const stall2 = stallingFetch(bytes);
    const w2 = worker({ fetch: stall2.fetchImpl });
    const c = connect(w2, 'https://a.example');
    const d = connect(w2, 'https://b.example');
    const [idC, idD] = [c.nextId(), d.nextId()];
    c.post({ kind: 'create', id: idC, model: other, backend: 'reference' });
    d.post({ kind: 'create', id: idD, model: other, backend: 'reference' });
    while (!d.replies.some((r) => r.kind === 'progress' && r.id === idD && r.loaded > 0)) await new Promise((r) => setTimeout(r, 5));
    c.post({ kind: 'cancel', id: c.nextId(), target: idC });
    d.post({ kind: 'cancel', id: d.nextId(), target: idD });
    expect(await c.reply(idC)).toMatchObject({ name: 'AbortError' });
    expect(await d.reply(idD)).toMatchObject({ name: 'AbortError' });
    // a caller who comes next gets a download of its own
    const idE = c.nextId();
    c.post({ kind: 'create', id: idE, model: other, backend: 'reference' });
    stall2.release();
    expect(await c.reply(idE)).toMatchObject({ kind: 'result' });
  });

  it("a fast lane opens with a one-time token and serves its Port's origin and sessions; a bad token gets nothing", async () => {
    const w = worker();
    const c = connect(w, 'https://a.example');
    const session = await createSession(c);
    const issued = await c.ask({ kind: 'lane' });
    const token = (issued as { value: { token: string } }).value.token;
    const { port1, port2 } = new MessageChannel();
    const lane = w.lanes.attach(token, port2)!;
    expect(lane).toMatchObject({ origin: 'https://a.example', channel: 'page' });
    w.router.accept(lane);
    const replies: Reply[] = [];
    port1.onmessage = (e) => replies.push(e.data as Reply);
    port1.postMessage({ kind: 'run', id: 7, session, feeds: ppocrFeeds() });
    while (!replies.some((r) => r.kind === 'result')) await new Promise((r) => setTimeout(r, 10));
    expect(replies[0]).toEqual({ kind: 'lane.ready' });
    expect(replies.find((r) => r.kind === 'result')).toMatchObject({ id: 7 });
    // the token was used up; an unknown one closes the port
    expect(w.lanes.attach(token, new MessageChannel().port2)).toBeUndefined();
    expect(w.lanes.attach('not-a-token', new MessageChannel().port2)).toBeUndefined();
    port1.close();
  });

  it("a popup's URL install goes on after the popup closes; models.cancel stops one", async () => {
    const bytes = readCatalogModel(findModel('ppocr-cls')!);
    const sha = findModel('ppocr-cls')!.sha256;
    const url = 'https://models.example/cls.onnx';
    const stall = stallingFetch(bytes);
    const w = worker({ fetch: stall.fetchImpl });
    const popup = connect(w, 'chrome-extension://x', 'popup');
    const id = popup.nextId();
    popup.post({ kind: 'models.install', id, url, sha256: sha });
    while (!popup.replies.some((r) => r.kind === 'progress' && r.loaded > 0)) await new Promise((r) => setTimeout(r, 5));
    popup.close(); // the user clicked elsewhere
    stall.release();
    const page = connect(w, 'https://a.example');
    for (let i = 0; i < 200 && (await page.ask({ kind: 'availability', model: { url, sha256: sha } }) as { value: { availability: string } }).value.availability !== 'available'; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await page.ask({ kind: 'availability', model: { url, sha256: sha } })).toMatchObject({ value: { availability: 'available' } });

    const other = stallingFetch(bytes);
    const w2 = worker({ fetch: other.fetchImpl });
    const p2 = connect(w2, 'chrome-extension://x', 'popup');
    const installId = p2.nextId();
    p2.post({ kind: 'models.install', id: installId, url, sha256: sha });
    while (!p2.replies.some((r) => r.kind === 'progress' && r.loaded > 0)) await new Promise((r) => setTimeout(r, 5));
    expect(await p2.ask({ kind: 'models.cancel', url, sha256: sha })).toMatchObject({ kind: 'result', value: { cancelled: true } });
    expect(await p2.reply(installId)).toMatchObject({ kind: 'error', name: 'AbortError' });
    other.release();
    const page2 = connect(w2, 'https://a.example');
    // the cancelled download cleans up after the caller has its AbortError
    await expect.poll(async () => (await page2.ask({ kind: 'availability', model: { url, sha256: sha } })) as unknown).toMatchObject({ value: { availability: 'downloadable' } });
  });

  it('the popup channel answers models.status and refuses page requests', async () => {
    const w = worker();
    const page = connect(w, 'https://a.example');
    await createSession(page, 'blazeface');
    const popup = connect(w, 'chrome-extension://x', 'popup');
    const r = await popup.ask({ kind: 'models.status' });
    expect(r).toMatchObject({ kind: 'result' });
    const models = (r as { value: { models: { id: string; sessions: number; loaded: boolean }[] } }).value.models;
    expect(models.find((m) => m.id === 'blazeface')).toMatchObject({ sessions: 1, loaded: true });
    expect(models.find((m) => m.id === 'ppocr-cls')).toMatchObject({ sessions: 0, loaded: false });
    expect(await popup.ask({ kind: 'availability', model: 'blazeface' })).toMatchObject({ kind: 'error', name: 'DataError' });
  });

  it("the popup's delete drops the worker's copy too; benchmark, recompile and prepare need an installed model", async () => {
    const w = worker();
    const page = connect(w, 'https://a.example');
    await createSession(page);
    const popup = connect(w, 'chrome-extension://x', 'popup');
    const status = async () => ((await popup.ask({ kind: 'models.status' })) as { value: { models: { id: string; loaded: boolean }[] } }).value.models.find((m) => m.id === 'ppocr-cls');
    expect(await status()).toMatchObject({ loaded: true });

    const bench = await popup.ask({ kind: 'models.benchmark', model: 'ppocr-cls', runs: 4 });
    expect(bench).toMatchObject({ kind: 'result', value: { backend: 'reference', input: 'x float32[1×3×64×64]' } });
    const times = (bench as { value: { times: number[] } }).value.times;
    expect(times).toHaveLength(4);
    expect(times.every((t) => t > 0)).toBe(true);
    // the reference backend compiles nothing: nothing to store
    expect(await popup.ask({ kind: 'models.recompile', model: 'ppocr-cls' })).toMatchObject({ kind: 'result', value: { backends: [] } });
    expect(await popup.ask({ kind: 'models.prepare', model: 'ppocr-cls' })).toMatchObject({ kind: 'result', value: { backends: [] } });
    expect(await page.ask({ kind: 'models.prepare', model: 'ppocr-cls' })).toMatchObject({ kind: 'error', name: 'DataError' });
    expect(await popup.ask({ kind: 'models.benchmark', model: 'ppocr-cls', runs: 1000 })).toMatchObject({ kind: 'error', name: 'DataError' });

    expect(await popup.ask({ kind: 'models.delete', model: 'ppocr-cls' })).toMatchObject({ kind: 'result', value: { deleted: true } });
    expect(await status()).toMatchObject({ loaded: false });
    expect(await popup.ask({ kind: 'models.benchmark', model: 'ppocr-cls' })).toMatchObject({ kind: 'error', name: 'NotFoundError' });
    expect(await popup.ask({ kind: 'models.prepare', model: 'ppocr-cls' })).toMatchObject({ kind: 'error', name: 'NotFoundError' });
    // a page's next create installs it again from the bundled catalog
    await createSession(page);
    expect(await status()).toMatchObject({ loaded: true });
    expect(await popup.ask({ kind: 'models.delete', model: 'ppocr-cls' })).toMatchObject({ kind: 'result', value: { deleted: true } });
    expect(await popup.ask({ kind: 'models.delete', model: 'ppocr-cls' })).toMatchObject({ kind: 'result', value: { deleted: false } });
  });
});
