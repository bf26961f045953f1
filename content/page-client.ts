// The page API's side of the private MessagePort: numbered requests, replies matched by id,
// progress events, AbortSignal cancellation (reject at once, tell the worker), and worker errors
// rethrown as DOMExceptions with their standard names. Once the relay hands over the fast lane's
// page end (content/relay.ts) and the worker has acknowledged it, requests go to the worker
// straight over the lane; when the relay says the lane is gone (the worker stopped), requests
// still unanswered on it are sent again through the relay, which owns reconnecting.

import { isErrorName, type LaneReady, type PageRequest, type PageResults, type Reply } from '../protocol';
import type { RelayNotice } from './handshake';

type Body<K extends PageRequest['kind']> = Omit<Extract<PageRequest, { kind: K }>, 'id'>;

export interface CallOptions {
  signal?: AbortSignal;
  onProgress?: (loaded: number, total: number) => void;
  /** buffers the page API owns (its own copies) and may move instead of copying */
  transfer?: Transferable[];
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  onProgress?: (loaded: number, total: number) => void;
  readonly message: PageRequest;
  /** where it went: a cancel follows it there, and a lost lane's calls are sent again */
  via: 'relay' | 'lane';
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export class PortClient {
  #port: MessagePort | null = null;
  /** the lane's page end; `ready` once the worker's lane.ready has arrived on it */
  #lane: { readonly port: MessagePort; ready: boolean } | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, PendingCall>();

  get attached(): boolean {
    return this.#port !== null;
  }

  attach(port: MessagePort): void {
    this.#port = port;
    port.onmessage = (event: MessageEvent<Reply | RelayNotice>) => {
      const data = event.data;
      if (data.kind === 'relay.lane') this.#openLane(event.ports[0]);
      else if (data.kind === 'relay.lane-closed') this.#laneLost();
      else this.#onReply(data);
    };
  }

  request<K extends Exclude<PageRequest['kind'], 'cancel'>>(body: Body<K>, options: CallOptions = {}): Promise<PageResults[K]> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const port = this.#port;
    if (!port) return Promise.reject(new DOMException("Kiln's relay is not running in this frame (was the extension disabled, or is this an about:blank or sandboxed frame?)", 'InvalidStateError'));
    const id = this.#nextId++;
    return new Promise<PageResults[K]>((resolve, reject) => {
      const onAbort = () => {
        const call = this.#pending.get(id);
        if (!call) return;
        this.#pending.delete(id);
        this.#post({ kind: 'cancel', id: this.#nextId++, target: id }, call.via);
        reject(abortReason(signal!));
      };
      const settle = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => {
        signal?.removeEventListener('abort', onAbort);
        f(...a);
      };
      const message = { ...body, id } as PageRequest;
      const lane = this.#lane?.ready ? this.#lane.port : null;
      this.#pending.set(id, { resolve: settle(resolve as (v: unknown) => void), reject: settle(reject), onProgress: options.onProgress, message, via: lane ? 'lane' : 'relay' });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        // Over the lane the page's own copies are cloned, not moved: the message stays whole in
        // case the lane is lost and it must be sent again. To the relay (same process) they move.
        if (lane) lane.postMessage(message);
        else port.postMessage(message, options.transfer ?? []);
      } catch (e) {
        this.#pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        reject(new DOMException(`the request could not be sent: ${e instanceof Error ? e.message : String(e)}`, 'DataError'));
      }
    });
  }

  #post(message: PageRequest, via: 'relay' | 'lane'): void {
    (via === 'lane' && this.#lane ? this.#lane.port : this.#port)?.postMessage(message);
  }

  #openLane(port: MessagePort | undefined): void {
    if (!port) return;
    this.#laneLost(); // a lane still held is stale
    const lane = { port, ready: false };
    this.#lane = lane;
    port.onmessage = (event: MessageEvent<Reply | LaneReady>) => {
      if (event.data.kind === 'lane.ready') lane.ready = true;
      else this.#onReply(event.data);
    };
  }

  /** The worker holding the lane's other end stopped: what is unanswered on it goes to the relay. */
  #laneLost(): void {
    this.#lane?.port.close();
    this.#lane = null;
    for (const call of this.#pending.values()) {
      if (call.via !== 'lane') continue;
      call.via = 'relay';
      this.#port?.postMessage(call.message);
    }
  }

  #onReply(reply: Reply): void {
    if (typeof reply !== 'object' || reply === null || typeof reply.id !== 'number') return; // id-less errors concern no call of ours
    const call = this.#pending.get(reply.id);
    if (!call) return; // cancelled or already settled
    if (reply.kind === 'progress') {
      call.onProgress?.(reply.loaded, reply.total);
      return;
    }
    this.#pending.delete(reply.id);
    if (reply.kind === 'result') call.resolve(reply.value);
    else call.reject(new DOMException(reply.message, isErrorName(reply.name) ? reply.name : 'OperationError'));
  }
}
