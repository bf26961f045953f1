// MAIN-world page API, built as a standalone IIFE: defines the non-writable `window.kiln`
// (availability, create → session with run/destroy) over the private MessagePort that the relay
// hands over at document_start (see ./handshake.ts and docs/extension.md).

import type { Availability, ModelRef } from '../protocol';
import { PAGE_API_READY, RELAY_PORT } from './handshake';
import { PortClient } from './page-client';
import { KilnSession } from './page-session';

export interface CreateOptions {
  /** 'auto' (default: the worker picks, background/backends.ts) or 'webgpu', 'wasm', 'reference' */
  backend?: string;
  signal?: AbortSignal;
  /** receives an EventTarget that fires 'downloadprogress' ProgressEvents {loaded, total} */
  monitor?: (monitor: EventTarget) => void;
}

const client = new PortClient();

// ---- handshake: take the first port the relay offers, then stop listening ----
function takePort(event: Event): void {
  const port = event instanceof MessageEvent ? event.ports[0] : undefined;
  if (!port || client.attached) return;
  event.preventDefault(); // tells the relay the port was taken
  event.stopImmediatePropagation();
  client.attach(port);
  document.removeEventListener(RELAY_PORT, takePort);
}
document.addEventListener(RELAY_PORT, takePort);
document.dispatchEvent(new Event(PAGE_API_READY));

// ---- the API ----
const kiln = Object.freeze({
  /** 'available' for catalog and installed models, 'downloadable' for a URL not yet installed, 'unavailable' for ids Kiln does not know. */
  availability(model: ModelRef): Promise<Availability> {
    return client.request<'availability'>({ kind: 'availability', model }).then((r) => r.availability);
  },

  /** A session of a catalog model (by id) or of one from a URL ({url, sha256}); the user grants the page each model. */
  async create(model: ModelRef, options: CreateOptions = {}): Promise<KilnSession> {
    const monitor = new EventTarget();
    options.monitor?.(monitor);
    const onProgress = (loaded: number, total: number) => monitor.dispatchEvent(new ProgressEvent('downloadprogress', { loaded, total, lengthComputable: total > 0 }));
    const description = await client.request<'create'>({ kind: 'create', model, backend: options.backend ?? 'auto' }, { signal: options.signal, onProgress });
    return new KilnSession(client, description);
  },
});

if (!Object.prototype.hasOwnProperty.call(window, 'kiln')) {
  Object.defineProperty(window, 'kiln', { value: kiln, writable: false, configurable: false, enumerable: true });
}
