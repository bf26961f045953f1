// The page API's side of the private MessagePort: numbered requests, replies matched by id,
// progress events, AbortSignal cancellation (reject at once, tell the worker), and worker errors
// rethrown as DOMExceptions with their standard names.

import { isErrorName, type PageRequest, type PageResults, type Reply } from '../protocol';

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
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

export class PortClient {
  #port: MessagePort | null = null;
  #nextId = 1;
  readonly #pending = new Map<number, PendingCall>();

  get attached(): boolean {
    return this.#port !== null;
  }

  attach(port: MessagePort): void {
    this.#port = port;
    port.onmessage = (event: MessageEvent<Reply>) => this.#onReply(event.data);
  }

  request<K extends Exclude<PageRequest['kind'], 'cancel'>>(body: Body<K>, options: CallOptions = {}): Promise<PageResults[K]> {
    const { signal } = options;
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const port = this.#port;
    if (!port) return Promise.reject(new DOMException("Kiln's relay is not running in this frame (was the extension disabled, or is this an about:blank or sandboxed frame?)", 'InvalidStateError'));
    const id = this.#nextId++;
    return new Promise<PageResults[K]>((resolve, reject) => {
      const onAbort = () => {
        if (!this.#pending.delete(id)) return;
        this.#post({ kind: 'cancel', id: this.#nextId++, target: id });
        reject(abortReason(signal!));
      };
      const settle = <A extends unknown[]>(f: (...a: A) => void) => (...a: A) => {
        signal?.removeEventListener('abort', onAbort);
        f(...a);
      };
      this.#pending.set(id, { resolve: settle(resolve as (v: unknown) => void), reject: settle(reject), onProgress: options.onProgress });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        port.postMessage({ ...body, id }, options.transfer ?? []);
      } catch (e) {
        this.#pending.delete(id);
        signal?.removeEventListener('abort', onAbort);
        reject(new DOMException(`the request could not be sent: ${e instanceof Error ? e.message : String(e)}`, 'DataError'));
      }
    });
  }

  #post(message: PageRequest): void {
    this.#port?.postMessage(message);
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
