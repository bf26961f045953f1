// One handler per popup request kind. The popup reads and edits the store itself (it is an
// extension page on the extension's origin, so it opens the same IndexedDB); the worker answers
// what only it knows (the sessions pages hold open) and downloads URL models, so that one download
// runs per model whoever asked for it (a page or the popup), with `progress` replies.

import type { PopupRequest, PopupResults } from '../../protocol';
import { CATALOG } from '../../models/catalog';
import { keepAlive } from '../lifetime';
import type { ModelLibrary } from '../library';
import type { SessionTable } from '../session-table';
import type { PageContext } from './page';

export type PopupHandlers = { [K in PopupRequest['kind']]: (request: Extract<PopupRequest, { kind: K }>, ctx: PageContext) => Promise<PopupResults[K]> };

/** `deps` is read at each call: the worker fills in the library at init. */
export function popupHandlers(deps: { sessions: SessionTable; library: ModelLibrary }): PopupHandlers {
  return {
    async 'models.status'() {
      const counts = deps.sessions.countByModel();
      return {
        models: CATALOG.map((m) => ({ id: m.id, name: m.name, task: m.task, bytes: m.bytes, loaded: deps.library.isLoaded(m.id), sessions: counts.get(m.id) ?? 0 })),
      };
    },

    async 'models.install'(request, ctx) {
      const desc = await deps.library.describe(request.sha256 === undefined ? { url: request.url } : { url: request.url, sha256: request.sha256 });
      let bytes = desc.bytes ?? 0;
      await keepAlive(
        deps.library.ensure(desc, {
          signal: ctx.signal,
          onProgress: (loaded, total) => {
            bytes = Math.max(bytes, loaded);
            ctx.progress(loaded, total);
          },
        }),
      );
      return { id: desc.id, name: desc.name, bytes };
    },
  };
}
