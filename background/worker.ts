// The extension's service worker. Listeners are registered synchronously at top level (so that a
// message that wakes the worker is not lost) and gated on one init promise that reloads the
// session descriptors; every other piece of state is rebuilt on demand.

import { createRouter } from './router';
import { pageHandlers } from './handlers/page';
import { popupHandlers } from './handlers/popup';
import { ModelBytesCache } from './model-bytes';
import { SerialQueue } from './queue';
import { SessionTable } from './session-table';
import { chromeSessionStore } from './session-store';
import { authenticate, connectionFromPort } from './runtime-port';
import { provideWasmKernels } from '../runtime/backends/wasm/module';
import { packagedWasmKernels } from './wasm-kernels';

provideWasmKernels(packagedWasmKernels);

const bytes = new ModelBytesCache();
const sessions = new SessionTable(chromeSessionStore, bytes);
const queue = new SerialQueue();
const ready = sessions.init();
ready.catch((e) => console.error('kiln: could not load session descriptors', e));

const router = createRouter({
  ready,
  page: pageHandlers({ sessions, queue }),
  popup: popupHandlers({ sessions, bytes }),
  onClose: (conn) => void sessions.dropOwnedBy(conn).catch((e) => console.warn(`kiln: could not free the sessions of ${conn.label}`, e)),
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
