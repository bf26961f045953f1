// ISOLATED-world relay: moves messages between the page API's private MessagePort and a
// chrome.runtime Port to the service worker (structured clone: tensors stay typed arrays). It
// connects lazily on the first request, and when the worker stops (Port disconnect) it reconnects
// and resends the requests still unanswered, once; a second loss fails them with a clear error.

import { PORT_NAMES, type ErrorName, type Reply } from '../protocol';
import { PAGE_API_READY, RELAY_PORT } from './handshake';

const MAX_RESENDS = 1;

interface Pending {
  readonly message: unknown;
  resends: number;
}

const channel = new MessageChannel();
const toPage = channel.port1;
const pending = new Map<number, Pending>();
let worker: chrome.runtime.Port | null = null;
/** Set when the worker refused this frame (e.g. an opaque or non-http origin): no point retrying. */
let refusal: { name: ErrorName; message: string } | null = null;

// ---- handshake: offer port2 to the page API until it takes it ----

function offerPort(): boolean {
  const event = new MessageEvent(RELAY_PORT, { cancelable: true, ports: [channel.port2] });
  const taken = !document.dispatchEvent(event);
  if (taken) document.removeEventListener(PAGE_API_READY, offerPort);
  return taken;
}
if (!offerPort()) document.addEventListener(PAGE_API_READY, offerPort);

// ---- page → worker ----

toPage.onmessage = (event: MessageEvent<unknown>) => {
  const message = event.data;
  const id = requestIdOf(message);
  if (id !== null) pending.set(id, { message, resends: 0 });
  send(message, id);
};

function send(message: unknown, id: number | null): void {
  if (refusal) return fail(id, refusal.name, refusal.message);
  try {
    (worker ?? connect()).postMessage(message);
  } catch (e) {
    // Posting fails when the message cannot be cloned or is over Chrome's size limit, or when
    // the extension was reloaded or removed ("Extension context invalidated").
    const gone = !chrome.runtime?.id;
    fail(id, gone ? 'InvalidStateError' : 'DataError', gone ? 'the Kiln extension was reloaded or removed; reload the page' : `the request could not be sent to the Kiln worker: ${errorText(e)}`);
  }
}

/** Ids of requests that get a reply (everything but `cancel`), for resending. */
function requestIdOf(message: unknown): number | null {
  if (typeof message !== 'object' || message === null) return null;
  const { id, kind } = message as { id?: unknown; kind?: unknown };
  return typeof id === 'number' && kind !== 'cancel' ? id : null;
}

// ---- worker → page ----

function connect(): chrome.runtime.Port {
  const port = chrome.runtime.connect({ name: PORT_NAMES.page });
  worker = port;
  port.onMessage.addListener((reply: Reply) => deliver(reply));
  port.onDisconnect.addListener(() => {
    void chrome.runtime.lastError; // read, so Chrome does not log it as unchecked
    if (worker === port) worker = null;
    resendPending();
  });
  return port;
}

function deliver(reply: Reply): void {
  // The worker refuses a connection with a NotAllowedError for no request, then disconnects.
  if (reply.kind === 'error' && reply.id === null && reply.name === 'NotAllowedError') refusal = { name: reply.name, message: reply.message };
  if (reply.kind !== 'progress' && typeof reply.id === 'number') pending.delete(reply.id);
  // Output arrays were cloned for us by the Port: hand their buffers to the page without a copy.
  toPage.postMessage(reply, transferablesOf(reply));
}

function transferablesOf(reply: Reply): Transferable[] {
  if (reply.kind !== 'result') return [];
  const outputs = (reply.value as { outputs?: Record<string, { data?: unknown }> } | null)?.outputs;
  if (!outputs || typeof outputs !== 'object') return [];
  const buffers = new Set<ArrayBuffer>();
  for (const t of Object.values(outputs)) {
    if (ArrayBuffer.isView(t?.data) && t.data.buffer instanceof ArrayBuffer) buffers.add(t.data.buffer);
  }
  return [...buffers];
}

/** The worker stopped (killed when idle, or crashed): resend what it had not answered, once. */
function resendPending(): void {
  for (const [id, p] of pending) {
    if (refusal) {
      fail(id, refusal.name, refusal.message);
    } else if (p.resends >= MAX_RESENDS) {
      fail(id, 'OperationError', `the Kiln worker stopped ${p.resends + 1} times while handling this request`);
    } else {
      p.resends++;
      send(p.message, id);
    }
  }
}

function fail(id: number | null, name: ErrorName, message: string): void {
  if (id === null) return;
  pending.delete(id);
  toPage.postMessage({ kind: 'error', id, name, message } satisfies Reply);
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
