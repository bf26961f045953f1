// One handler per popup request kind. The popup reads and edits the store itself (it is an
// extension page on the extension's origin, so it opens the same IndexedDB); the worker answers
// what only it knows (the sessions pages hold open) and downloads URL models, so that one download
// runs per model whoever asked for it (a page or the popup), with `progress` replies. A download
// the popup started goes on when the popup closes (it closes whenever it loses focus); only
// `models.cancel` stops it.

import type { PopupRequest, PopupResults } from '../../protocol';
import { CATALOG } from '../../models/catalog';
import { keepAlive } from '../lifetime';
import type { ModelLibrary } from '../library';
import type { SessionTable } from '../session-table';
import type { PageContext } from './page';

export type PopupHandlers = { [K in PopupRequest['kind']]: (request: Extract<PopupRequest, { kind: K }>, ctx: PageContext) => Promise<PopupResults[K]> };

/** `deps` is read at each call: the worker fills in the library at init. */
export function popupHandlers(deps: { sessions: SessionTable; library: ModelLibrary }): PopupHandlers {
  /** the popup's installs in flight, by store id */
  const installs = new Map<string, AbortController>();
  const describe = (r: { url: string; sha256?: string }) => deps.library.describe(r.sha256 === undefined ? { url: r.url } : { url: r.url, sha256: r.sha256 });
  return {
    async 'models.status'() {
      const counts = deps.sessions.countByModel();
      return {
        models: CATALOG.map((m) => ({ id: m.id, name: m.name, task: m.task, bytes: m.bytes, loaded: deps.library.isLoaded(m.id), sessions: counts.get(m.id) ?? 0 })),
      };
    },

    async 'models.install'(request, ctx) {
      const desc = await describe(request);
      let bytes = desc.bytes ?? 0;
      // not ctx.signal: that aborts when the popup closes
      const controller = new AbortController();
      installs.set(desc.id, controller);
      try {
        await keepAlive(
          deps.library.ensure(desc, {
            signal: controller.signal,
            onProgress: (loaded, total) => {
              bytes = Math.max(bytes, loaded);
              ctx.progress(loaded, total);
            },
          }),
        );
      } finally {
        if (installs.get(desc.id) === controller) installs.delete(desc.id);
      }
      return { id: desc.id, name: desc.name, bytes };
    },

    async 'models.cancel'(request) {
      const controller = installs.get((await describe(request)).id);
      controller?.abort();
      return { cancelled: controller !== undefined };
    },
  };
}
