// The router: validates every message against protocol/ first, then (once the worker's state is
// loaded) dispatches it to the one handler for its kind, with the origin the transport vouched
// for. Tracks each connection's requests in flight so that `cancel` can answer AbortError at once.

import { parsePageRequest, parsePopupRequest, parsePromptRequest } from '../protocol/schemas';
import type { PageRequest, PopupRequest, PromptRequest } from '../protocol';
import { problemOf } from './errors';
import type { PageContext, PageHandlers } from './handlers/page';
import type { PopupHandlers } from './handlers/popup';
import type { PromptHandlers } from './handlers/prompt';
import type { Connection } from './transport';

export interface RouterDeps {
  /** resolves once the worker's state (session descriptors) is loaded */
  readonly ready: Promise<void>;
  readonly page: PageHandlers;
  readonly popup: PopupHandlers;
  readonly prompt: PromptHandlers;
  /** called when a connection closes (its page went away) */
  readonly onClose: (conn: Connection) => void;
}

type Dispatch<R> = (request: R, ctx: PageContext) => Promise<unknown>;

export function createRouter(deps: RouterDeps) {
  return {
    accept(conn: Connection): void {
      const inflight = new Map<number, AbortController>();
      conn.onMessage((raw) => void handle(conn, inflight, raw));
      conn.onClose(() => {
        for (const c of inflight.values()) c.abort();
        inflight.clear();
        deps.onClose(conn);
      });
    },
  };

  async function handle(conn: Connection, inflight: Map<number, AbortController>, raw: unknown): Promise<void> {
    const parsed = conn.channel === 'page' ? parsePageRequest(raw) : conn.channel === 'popup' ? parsePopupRequest(raw) : parsePromptRequest(raw);
    if (!parsed.ok) {
      conn.send({ kind: 'error', id: parsed.id, ...parsed.problem });
      return;
    }
    const request: PageRequest | PopupRequest | PromptRequest = parsed.request;
    const { id } = request;
    const replies = request.kind !== 'cancel';
    if (replies && inflight.has(id)) {
      conn.send({ kind: 'error', id, name: 'DataError', message: `request id ${id} is already in flight on this connection` });
      return;
    }
    const controller = new AbortController();
    if (replies) inflight.set(id, controller);
    const ctx: PageContext = {
      origin: conn.origin,
      owner: conn.owner ?? conn,
      signal: controller.signal,
      progress: (loaded, total) => {
        if (inflight.get(id) === controller) conn.send({ kind: 'progress', id, loaded, total });
      },
      cancel: (target) => {
        const c = inflight.get(target);
        if (!c) return; // already answered
        inflight.delete(target);
        c.abort();
        conn.send({ kind: 'error', id: target, name: 'AbortError', message: 'the request was cancelled by its AbortSignal' });
      },
    };
    try {
      await deps.ready;
      const value = await dispatch(conn, request, ctx);
      if (replies && inflight.get(id) === controller) conn.send({ kind: 'result', id, value });
    } catch (e) {
      if (replies && inflight.get(id) === controller) conn.send({ kind: 'error', id, ...problemOf(e) });
    } finally {
      if (inflight.get(id) === controller) inflight.delete(id);
    }
  }

  function dispatch(conn: Connection, request: PageRequest | PopupRequest | PromptRequest, ctx: PageContext): Promise<unknown> {
    // The handler maps are typed per kind; indexing by a union kind needs one widening cast.
    if (conn.channel === 'popup') return (deps.popup[request.kind as PopupRequest['kind']] as Dispatch<PopupRequest>)(request as PopupRequest, ctx);
    if (conn.channel === 'prompt') return (deps.prompt[request.kind as PromptRequest['kind']] as Dispatch<PromptRequest>)(request as PromptRequest, ctx);
    return (deps.page[request.kind as PageRequest['kind']] as Dispatch<PageRequest>)(request as PageRequest, ctx);
  }
}
