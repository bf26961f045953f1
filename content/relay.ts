// ISOLATED-world relay: moves messages between the page API's private MessagePort and the service
// worker. It connects a chrome.runtime Port lazily on the first request (the authenticated
// channel: the worker takes the frame's origin from it), and on the first run opens the fast lane
// beside it (background/lanes.ts): a MessagePort to the worker through a hidden extension iframe,
// whose page end it hands to the page API, so that tensors go from the page to the worker in one
// hop instead of through the relay and the Port. When the worker stops (Port disconnect) the lane
// goes too: the relay tells the page API, which sends what was unanswered on the lane through the
// relay again; the relay reconnects and resends its own unanswered requests, once; a second loss
// fails them clearly.

import { PORT_NAMES, type ErrorName, type Reply } from '../protocol';
import { PAGE_API_READY, RELAY_PORT, type RelayNotice } from './handshake';

const MAX_RESENDS = 1;

interface Pending {
  readonly message: unknown;
  resends: number;
}

/** The relay's own request for a lane token, outside the page API's id range. */
const LANE_REQUEST_ID = Number.MAX_SAFE_INTEGER;

const channel = new MessageChannel();
const toPage = channel.port1;
const pending = new Map<number, Pending>();
let worker: chrome.runtime.Port | null = null;
/** Set when the worker refused this frame (e.g. an opaque or non-http origin): no point retrying. */
let refusal: { name: ErrorName; message: string } | null = null;
/** the fast lane: none, its token asked for, or its page end handed to the page API */
let laneState: 'none' | 'opening' | 'open' = 'none';
/** the lane frame's host element (the frame sits in its closed shadow root) */
let laneFrame: HTMLElement | null = null;

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
    if ((message as { kind?: unknown }).kind === 'run' && laneState === 'none') openLane();
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
    dropLane(); // the worker that held its other end is gone
    resendPending();
  });
  return port;
}

function deliver(reply: Reply): void {
  if (reply.id === LANE_REQUEST_ID) {
    if (reply.kind === 'result') attachLane((reply.value as { token: string }).token);
    return; // a refused lane leaves the Port in charge
  }
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

// ---- the fast lane ----

function openLane(): void {
  laneState = 'opening';
  (worker ?? connect()).postMessage({ kind: 'lane', id: LANE_REQUEST_ID });
}

/**
 * Hands one end of a new MessageChannel and the worker's token to a hidden lane frame, which
 * passes both on to the worker, and the other end to the page API (which waits for the worker's
 * `lane.ready` on it before using it). The page API's scripts share the main world with the
 * page's, so a page could take that end; it would gain nothing: the worker validates every
 * message on a lane as it does the relay's, and the lane speaks only for this frame's origin.
 */
function attachLane(token: string): void {
  const frame = document.createElement('iframe');
  frame.src = chrome.runtime.getURL('lane/frame.html');
  frame.hidden = true;
  frame.tabIndex = -1;
  frame.setAttribute('aria-hidden', 'true');
  frame.style.display = 'none';
  const { port1, port2 } = new MessageChannel();
  toPage.postMessage({ kind: 'relay.lane' } satisfies RelayNotice, [port1]);
  laneState = 'open';
  frame.addEventListener('load', () => frame.contentWindow?.postMessage({ kind: 'kiln-lane', token }, new URL(frame.src).origin, [port2]), { once: true });
  // In a closed shadow root: the page's scripts cannot find the frame or talk to it (a page can
  // load the web-accessible frame itself, but without a token the worker issued it gets nothing).
  const host = document.createElement('kiln-lane');
  host.hidden = true;
  host.attachShadow({ mode: 'closed' }).append(frame);
  (document.body ?? document.documentElement).append(host);
  laneFrame = host;
}

function dropLane(): void {
  if (laneState === 'open') toPage.postMessage({ kind: 'relay.lane-closed' } satisfies RelayNotice);
  laneFrame?.remove();
  laneFrame = null;
  laneState = 'none';
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
