// One handler per popup request kind.

import type { PopupRequest, PopupResults } from '../../protocol';
import { CATALOG } from '../../models/catalog';
import type { ModelBytesCache } from '../model-bytes';
import type { SessionTable } from '../session-table';

export type PopupHandlers = { [K in PopupRequest['kind']]: (request: Extract<PopupRequest, { kind: K }>) => Promise<PopupResults[K]> };

export function popupHandlers(deps: { sessions: SessionTable; bytes: ModelBytesCache }): PopupHandlers {
  return {
    async 'models.status'() {
      const counts = deps.sessions.countByModel();
      return {
        models: CATALOG.map((m) => ({ id: m.id, name: m.name, task: m.task, bytes: m.bytes, loaded: deps.bytes.isLoaded(m.id), sessions: counts.get(m.id) ?? 0 })),
      };
    },
  };
}
