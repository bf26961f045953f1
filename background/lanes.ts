// The fast lane: a MessagePort from a page's relay straight to the worker, carried there by a
// hidden web-accessible extension iframe (lane/frame.html), so that tensors cross as transferred
// buffers instead of through the extension messaging system, which serialises them slowly (tens of
// milliseconds per megabyte). The lane is opened over the authenticated runtime Port: the relay
// asks for a token ('lane' request), which the worker binds to that Port's connection — its
// origin is the browser's word, never a message's — and a MessagePort is accepted only with a live,
// unused token. The lane then is a Connection with that origin, owned by the Port's connection.

import type { LaneReady, Reply } from '../protocol';
import type { Connection } from './transport';

/** How long a token waits for its iframe to deliver the port. */
export const LANE_TOKEN_TTL_MS = 30_000;

interface Issued {
  readonly origin: string;
  readonly owner: object;
  readonly label: string;
  readonly expires: number;
}

export class Lanes {
  private readonly tokens = new Map<string, Issued>();
  /** open lanes per owning connection, closed with it */
  private readonly open = new Map<object, Set<() => void>>();

  /** A one-time token for a lane with the connection's origin and owner. */
  issue(origin: string, owner: object, label: string): string {
    const now = Date.now();
    for (const [t, i] of this.tokens) if (i.expires < now) this.tokens.delete(t);
    const token = crypto.randomUUID();
    this.tokens.set(token, { origin, owner, label, expires: now + LANE_TOKEN_TTL_MS });
    return token;
  }

  /** The lane's Connection, or undefined (and the port closed) for an unknown or expired token. */
  attach(token: unknown, port: MessagePort): Connection | undefined {
    const issued = typeof token === 'string' ? this.tokens.get(token) : undefined;
    if (typeof token === 'string') this.tokens.delete(token);
    if (!issued || issued.expires < Date.now()) {
      port.close();
      return undefined;
    }
    const closeListeners: (() => void)[] = [];
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      port.close();
      for (const l of closeListeners) l();
    };
    let lanes = this.open.get(issued.owner);
    if (!lanes) this.open.set(issued.owner, (lanes = new Set()));
    lanes.add(close);
    port.postMessage({ kind: 'lane.ready' } satisfies LaneReady);
    return {
      channel: 'page',
      origin: issued.origin,
      owner: issued.owner,
      label: `lane of ${issued.label}`,
      send(reply: Reply) {
        if (closed) return;
        // Cloned, not transferred: an output may share its buffer with the model (a graph output
        // that is an initializer), which a transfer would detach. Outputs are small next to inputs.
        port.postMessage(reply);
      },
      onMessage(listener) {
        port.onmessage = (event) => listener(event.data);
      },
      onClose(listener) {
        closeListeners.push(listener);
      },
    };
  }

  /** Closes the lanes of a connection that went away. */
  closeFor(owner: object): void {
    const lanes = this.open.get(owner);
    this.open.delete(owner);
    for (const close of lanes ?? []) close();
  }
}
