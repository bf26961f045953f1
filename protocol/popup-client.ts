// How an extension page (the popup, the grant prompt) asks the worker something: one request over
// a short-lived Port ('kiln-popup' or 'kiln-prompt'), resolved with the typed result or rejected
// with a DOMException. Example: `const { models } = await askWorker({ kind: 'models.status' });`

import { isErrorName } from './errors';
import { PORT_NAMES, type PopupRequest, type PopupResults, type PromptRequest, type PromptResults, type Reply } from './messages';

export function askWorker<K extends PopupRequest['kind']>(request: Omit<Extract<PopupRequest, { kind: K }>, 'id'> & { kind: K }, timeoutMs = 10_000): Promise<PopupResults[K]> {
  return ask(PORT_NAMES.popup, request, timeoutMs) as Promise<PopupResults[K]>;
}

/** The grant prompt's requests, over the 'kiln-prompt' Port. */
export function askFromPrompt<K extends PromptRequest['kind']>(request: Omit<Extract<PromptRequest, { kind: K }>, 'id'> & { kind: K }, timeoutMs = 10_000): Promise<PromptResults[K]> {
  return ask(PORT_NAMES.prompt, request, timeoutMs) as Promise<PromptResults[K]>;
}

function ask(portName: string, request: { kind: string }, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const port = chrome.runtime.connect({ name: portName });
    const timer = setTimeout(() => finish(() => reject(new DOMException(`the Kiln worker did not answer '${request.kind}' within ${timeoutMs} ms`, 'OperationError'))), timeoutMs);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      port.disconnect();
      settle();
    };
    port.onMessage.addListener((reply: Reply) => {
      if (reply.kind === 'result') finish(() => resolve(reply.value));
      else if (reply.kind === 'error') finish(() => reject(new DOMException(reply.message, isErrorName(reply.name) ? reply.name : 'OperationError')));
    });
    port.onDisconnect.addListener(() => {
      void chrome.runtime.lastError;
      clearTimeout(timer);
      reject(new DOMException('the Kiln worker closed the connection', 'OperationError'));
    });
    port.postMessage({ ...request, id: 1 });
  });
}
