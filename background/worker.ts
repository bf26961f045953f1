// The extension's service worker. Listeners are registered synchronously at top level (so that a
// message that wakes the worker is not lost) and gated on one init promise that opens the store
// (sweeping installs a killed worker cut off) and reloads the session descriptors; every other
// piece of state is rebuilt on demand.

import { createRouter } from './router';
import { pageHandlers } from './handlers/page';
import { popupHandlers } from './handlers/popup';
import { fetchFromPackage } from './model-bytes';
import { ModelLibrary } from './library';
import { Permissions } from './permissions';
import { Prompts } from './prompts';
import { promptHandlers } from './handlers/prompt';
import { openKilnDb } from './store/db';
import { Lanes } from './lanes';
import type { LaneAttach } from '../protocol';
import { GrantStore } from './store/grants';
import { ModelStore } from './store/models';
import { SerialQueue } from './queue';
import { SessionTable } from './session-table';
import { CompiledSessions, compiledSessions } from './compiled-sessions';
import { chromeSessionStore } from './session-store';
import { authenticate, connectionFromPort } from './runtime-port';
import { provideWasmKernels } from '../runtime/backends/wasm/module';
import { packagedWasmKernels } from './wasm-kernels';

performance.mark('kiln:script'); // the bundle's modules are evaluated
provideWasmKernels(packagedWasmKernels);

const prompts = new Prompts();
/** The store-backed services, set by init() before the router dispatches any request. */
const deps = {} as { library: ModelLibrary; permissions: Permissions; compiled: CompiledSessions };
const sessions = new SessionTable(chromeSessionStore, {
  open: async (id, backend) => (await deps.compiled.open(id, backend)).session,
  ran: (session) => deps.compiled.ran(session),
  releasing: (session) => deps.compiled.releasing(session),
});
const queue = new SerialQueue();
const lanes = new Lanes();

async function init(): Promise<void> {
  const db = await openKilnDb();
  const store = new ModelStore(db);
  await store.sweep();
  deps.library = new ModelLibrary(store, fetchFromPackage);
  deps.permissions = new Permissions(new GrantStore(db), prompts.ask);
  deps.compiled = compiledSessions(db, deps.library);
  await sessions.init();
  // from the worker's start (its time origin) to serving requests: DevTools shows it
  performance.mark('kiln:ready');
}
const ready = init();
ready.catch((e) => console.error('kiln: could not open the model store or load session descriptors', e));

const router = createRouter({
  ready,
  page: pageHandlers({
    sessions,
    queue,
    get library() { return deps.library; },
    get permissions() { return deps.permissions; },
    lanes,
  }),
  popup: popupHandlers({ sessions, queue, get library() { return deps.library; }, get compiled() { return deps.compiled; } }),
  prompt: promptHandlers(prompts),
  onClose: (conn) => {
    lanes.closeFor(conn);
    void sessions.dropOwnedBy(conn).catch((e) => console.warn(`kiln: could not free the sessions of ${conn.label}`, e));
  },
});

chrome.runtime.onConnect.addListener((port) => {
  const who = authenticate(port);
  if ('name' in who) {
    port.postMessage({ kind: 'error', id: null, name: who.name, message: who.message });
    port.disconnect();
    return;
  }
  router.accept(connectionFromPort(port, who.channel, who.origin));
});

// The fast lane: the hidden lane/frame.html iframe hands over a relay's MessagePort with the token
// the worker gave that relay (background/lanes.ts). Only the extension's own pages post here.
self.addEventListener('message', (event: Event) => {
  const e = event as ExtendableMessageEvent;
  const data = e.data as Partial<LaneAttach> | null;
  if (e.origin !== new URL(chrome.runtime.getURL('')).origin || data?.kind !== 'lane.attach' || !e.ports[0]) return;
  const conn = lanes.attach(data.token, e.ports[0]);
  if (conn) router.accept(conn);
});
