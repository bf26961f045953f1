// One handler per popup request kind. The popup reads the store itself (it is an extension page on
// the extension's origin, so it opens the same IndexedDB); the worker answers what only it knows
// (the sessions pages hold open), does what touches its memory (deleting a model it may hold,
// compiling, benchmarking on its backends) and downloads URL models, so that one download runs
// per model whoever asked for it (a page or the popup), with `progress` replies. A download the
// popup started goes on when the popup closes (it closes whenever it loses focus); only
// `models.cancel` stops it.

import type { PopupRequest, PopupResults } from '../../protocol';
import { CATALOG } from '../../models/catalog';
import { resolveBackend } from '../backends';
import type { CompiledSessions } from '../compiled-sessions';
import { KilnError } from '../errors';
import { keepAlive } from '../lifetime';
import type { ModelLibrary } from '../library';
import type { SerialQueue } from '../queue';
import type { SessionTable } from '../session-table';
import type { PageContext } from './page';

export type PopupHandlers = { [K in PopupRequest['kind']]: (request: Extract<PopupRequest, { kind: K }>, ctx: PageContext) => Promise<PopupResults[K]> };

export interface PopupDeps {
  readonly sessions: SessionTable;
  readonly library: ModelLibrary;
  readonly compiled: CompiledSessions;
  /** the page's runs and the popup's benchmarks take turns */
  readonly queue: SerialQueue;
}

const BENCHMARK_RUNS = 20;

/** `deps` is read at each call: the worker fills in the library and compiled sessions at init. */
export function popupHandlers(deps: PopupDeps): PopupHandlers {
  const installedOr404 = async (model: string) => {
    if (!(await deps.library.installed(model))) throw new KilnError('NotFoundError', `model '${model}' is not installed`);
  };
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

    async 'models.delete'(request) {
      deps.compiled.forget(request.model);
      return { deleted: await deps.library.delete(request.model) };
    },

    async 'models.recompile'(request, ctx) {
      await installedOr404(request.model);
      const backends = await deps.queue.run(() => keepAlive(deps.compiled.recompile(request.model, () => resolveBackend('auto'))), ctx.signal);
      return { backends };
    },

    async 'models.prepare'(request) {
      await installedOr404(request.model);
      // not ctx.signal: the compile is for the pages that come later, whether the popup stays open or not
      const backends = await deps.queue.run(async () => keepAlive(deps.compiled.prepare(request.model, await resolveBackend('auto'))));
      return { backends };
    },

    async 'models.benchmark'(request, ctx) {
      await installedOr404(request.model);
      const backend = await resolveBackend('auto');
      const runs = request.runs ?? BENCHMARK_RUNS;
      const { input, times } = await deps.queue.run(() => keepAlive(deps.compiled.benchmark(request.model, backend, runs)), ctx.signal);
      return { backend, input, times };
    },
  };
}
