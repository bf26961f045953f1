// The chrome.runtime Port transport: authenticates each connecting Port by its sender (the
// browser's word on the frame's origin) and wraps it as a Connection.

import { PORT_NAMES, type Problem, type Reply } from '../protocol';
import type { Channel, Connection } from './transport';

const extensionOrigin = (): string => new URL(chrome.runtime.getURL('')).origin;

/** Who may open which channel: pages over http(s) through our relay; the popup from our own origin. */
export function authenticate(port: chrome.runtime.Port): { channel: Channel; origin: string } | Problem {
  const sender = port.sender;
  if (!sender || sender.id !== chrome.runtime.id) return { name: 'NotAllowedError', message: 'connections are accepted from this extension only' };
  const origin = sender.origin ?? (sender.url ? new URL(sender.url).origin : 'null');
  if (port.name === PORT_NAMES.popup || port.name === PORT_NAMES.prompt) {
    if (origin !== extensionOrigin()) return { name: 'NotAllowedError', message: `the ${port.name} channel is for the extension's own pages, not ${origin}` };
    return { channel: port.name === PORT_NAMES.popup ? 'popup' : 'prompt', origin };
  }
  if (port.name === PORT_NAMES.page) {
    const protocol = origin === 'null' ? '' : new URL(origin).protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      return { name: 'NotAllowedError', message: `Kiln serves pages with an http(s) origin; this frame's origin is ${origin}` };
    }
    if (!sender.tab) return { name: 'NotAllowedError', message: 'the page channel is for content scripts in a tab' };
    return { channel: 'page', origin };
  }
  return { name: 'NotAllowedError', message: `unknown port name ${JSON.stringify(port.name).slice(0, 80)}` };
}

export function connectionFromPort(port: chrome.runtime.Port, channel: Channel, origin: string): Connection {
  const closeListeners: (() => void)[] = [];
  let open = true;
  port.onDisconnect.addListener(() => {
    open = false;
    for (const l of closeListeners) l();
  });
  const sender = port.sender;
  return {
    channel,
    origin,
    label: `${channel} tab ${sender?.tab?.id ?? '-'} frame ${sender?.frameId ?? '-'} ${sender?.url ?? origin}`,
    send(reply: Reply) {
      if (!open) return;
      try {
        port.postMessage(reply);
      } catch (e) {
        // The other side went away between our check and the post: nothing left to tell.
        console.warn('kiln: reply not delivered', e);
      }
    },
    onMessage(listener) {
      port.onMessage.addListener((raw: unknown) => listener(raw));
    },
    onClose(listener) {
      closeListeners.push(listener);
    },
  };
}
