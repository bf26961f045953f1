// One handler per popup request kind.

import type { PopupRequest, PopupResults } from '../../protocol';
import { CATALOG } from '../../models/catalog';
import type { ModelLibrary } from '../library';
import type { SessionTable } from '../session-table';

export type PopupHandlers = { [K in PopupRequest['kind']]: (request: Extract<PopupRequest, { kind: K }>) => Promise<PopupResults[K]> };

export function popupHandlers(deps: { sessions: SessionTable; library: ModelLibrary }): PopupHandlers {
  return {
    async 'models.status'() {
      const counts = deps.sessions.countByModel();
      return {
        models: CATALOG.map((m) => ({ id: m.id, name: m.name, task: m.task, bytes: m.bytes, loaded: deps.library.isLoaded(m.id), sessions: counts.get(m.id) ?? 0 })),
      };
    },
  };
}
