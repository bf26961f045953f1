// The transport seam: the router sees Connections, never chrome.runtime Ports, so that a faster
// channel (DESIGN.md's web-accessible iframe path, authenticated by a Port-registered token) can
// be added beside runtime-port.ts without touching the router or the handlers.

import type { Reply } from '../protocol';

export type Channel = 'page' | 'popup' | 'prompt';

export interface Connection {
  readonly channel: Channel;
  /** the caller's origin, as the browser reported it (never taken from a message) */
  readonly origin: string;
  /** a label for logs: tab/frame and URL */
  readonly label: string;
  send(reply: Reply): void;
  onMessage(listener: (raw: unknown) => void): void;
  onClose(listener: () => void): void;
}
