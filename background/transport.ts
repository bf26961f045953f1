// The transport seam: the router sees Connections, never chrome.runtime Ports: runtime-port.ts
// (the authenticated control channel) and lanes.ts (the fast lane through a web-accessible
// iframe, opened with a token registered over that Port) both produce them.

import type { Reply } from '../protocol';

export type Channel = 'page' | 'popup' | 'prompt';

export interface Connection {
  readonly channel: Channel;
  /** the caller's origin, as the browser reported it (never taken from a message) */
  readonly origin: string;
  /** a label for logs: tab/frame and URL */
  readonly label: string;
  /** who owns the sessions it creates, when not the connection itself (a fast lane: its Port's connection) */
  readonly owner?: object;
  send(reply: Reply): void;
  onMessage(listener: (raw: unknown) => void): void;
  onClose(listener: () => void): void;
}
