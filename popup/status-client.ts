// Asks the service worker for every model's status over the popup's runtime Port
// (protocol/: a `models.status` request, answered by a result or an error reply).

import { PORT_NAMES, type ModelStatus, type PopupResults, type Reply } from '../protocol';

let nextId = 1;

export function fetchModelStatus(timeoutMs = 5000): Promise<readonly ModelStatus[]> {
  return new Promise((resolve, reject) => {
    const id = nextId++;
    const port = chrome.runtime.connect({ name: PORT_NAMES.popup });
    const finish = (done: () => void): void => {
      clearTimeout(timer);
      port.disconnect();
      done();
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`no answer from the service worker in ${timeoutMs} ms`))), timeoutMs);
    port.onMessage.addListener((reply: Reply) => {
      if (reply.id !== id) return;
      if (reply.kind === 'result') finish(() => resolve((reply.value as PopupResults['models.status']).models));
      else if (reply.kind === 'error') finish(() => reject(new Error(`${reply.name}: ${reply.message}`)));
    });
    port.onDisconnect.addListener(() => {
      clearTimeout(timer);
      reject(new Error(chrome.runtime.lastError?.message ?? 'the service worker closed the connection'));
    });
    port.postMessage({ kind: 'models.status', id });
  });
}
