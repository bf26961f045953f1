// How an extension page (the popup, the grant prompt) asks the worker something: one request over
// a short-lived Port ('kiln-popup' or 'kiln-prompt'), resolved with the typed result or rejected
// with a DOMException. Example: `const { models } = await askWorker({ kind: 'models.status' });`
// A long request (the popup's `models.install`) can pass `{onProgress, signal}`: `progress` replies
// reach onProgress (each one restarts the timeout), and aborting the signal closes the Port, which
// makes the worker abort the request; the promise rejects with an AbortError at once.

import { isErrorName } from './errors';
import { PORT_NAMES, type PopupRequest, type PopupResults, type PromptRequest, type PromptResults, type Reply } from './messages';

export interface AskOptions {
  /** how long to wait for the answer (or, with onProgress, for the next progress reply); default 10 s */
  readonly timeoutMs?: number;
  /** called with each `progress` reply, in bytes (`total` 0 when unknown) */
  readonly onProgress?: (loaded: number, total: number) => void;
  /** aborting it closes the Port (the worker aborts the request) and rejects with an AbortError */
  readonly signal?: AbortSignal;
}

export function askWorker<K extends PopupRequest['kind']>(request: Omit<Extract<PopupRequest, { kind: K }>, 'id'> & { kind: K }, options: number | AskOptions = {}): Promise<PopupResults[K]> {
  return ask(PORT_NAMES.popup, request, typeof options === 'number' ? { timeoutMs: options } : options) as Promise<PopupResults[K]>;
}

/** The grant prompt's requests, over the 'kiln-prompt' Port. */
export function askFromPrompt<K extends PromptRequest['kind']>(request: Omit<Extract<PromptRequest, { kind: K }>, 'id'> & { kind: K }, timeoutMs = 10_000): Promise<PromptResults[K]> {
  return ask(PORT_NAMES.prompt, request, { timeoutMs }) as Promise<PromptResults[K]>;
}

function ask(portName: string, request: { kind: string }, options: AskOptions): Promise<unknown> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new DOMException(`'${request.kind}' was cancelled`, 'AbortError'));
      return;
    }
    const port = chrome.runtime.connect({ name: portName });
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => finish(() => reject(new DOMException(`'${request.kind}' was cancelled`, 'AbortError')));
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish(() => reject(new DOMException(`the Kiln worker did not answer '${request.kind}' within ${timeoutMs} ms`, 'OperationError'))), timeoutMs);
    };
    const finish = (settle: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      port.disconnect();
      settle();
    };
    arm();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    port.onMessage.addListener((reply: Reply) => {
      if (reply.kind === 'result') finish(() => resolve(reply.value));
      else if (reply.kind === 'error') finish(() => reject(new DOMException(reply.message, isErrorName(reply.name) ? reply.name : 'OperationError')));
      else if (reply.kind === 'progress' && !settled && options.onProgress) {
        arm();
        options.onProgress(reply.loaded, reply.total);
      }
    });
    port.onDisconnect.addListener(() => {
      void chrome.runtime.lastError;
      finish(() => reject(new DOMException('the Kiln worker closed the connection', 'OperationError')));
    });
    port.postMessage({ ...request, id: 1 });
  });
}
