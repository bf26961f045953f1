// One handler per page request kind. Each gets a validated request and the caller's context
// (origin from the browser, cancellation signal, progress callback) and returns the result value.
// `create` asks the user's permission first, installs the model if needed, then builds the session.

import type { PageRequest, PageRequestKind, PageResults, SessionDescription, TensorInfo, WireDType, WireTensor } from '../../protocol';
import { isWireDType } from '../../protocol';
import type { InferenceSession, TensorInfo as EngineTensorInfo } from '../../runtime/session';
import type { Tensor } from '../../runtime/tensor';
import { resolveBackend } from '../backends';
import { abortError, KilnError } from '../errors';
import { keepAlive } from '../lifetime';
import type { ModelLibrary } from '../library';
import type { Lanes } from '../lanes';
import type { Permissions } from '../permissions';
import type { SerialQueue } from '../queue';
import type { Owner, SessionTable } from '../session-table';

export interface PageContext {
  readonly origin: string;
  /** the connection the request came on: it owns the sessions it creates or uses */
  readonly owner: Owner;
  readonly signal: AbortSignal;
  progress(loaded: number, total: number): void;
  /** cancels another request of the same connection */
  cancel(target: number): void;
}

type RequestOf<K extends PageRequestKind> = Extract<PageRequest, { kind: K }>;
export type PageHandlers = { [K in PageRequestKind]: (request: RequestOf<K>, ctx: PageContext) => Promise<PageResults[K] | void> };

export interface PageDeps {
  readonly sessions: SessionTable;
  readonly queue: SerialQueue;
  readonly library: ModelLibrary;
  readonly permissions: Permissions;
  readonly lanes: Lanes;
}

/** `deps` is read at each call: the worker fills in its store-backed parts at init. */
export function pageHandlers(deps: PageDeps): PageHandlers {
  const { sessions, queue } = deps;
  return {
    async availability(request) {
      return { availability: await deps.library.availability(request.model) };
    },

    async create(request, ctx) {
      const { library, permissions } = deps;
      const model = await library.describe(request.model);
      await permissions.require({
        origin: ctx.origin,
        model: { id: model.id, name: model.name, source: model.source, bytes: model.bytes, installed: await library.installed(model.id) },
      });
      const backend = await resolveBackend(request.backend);
      await keepAlive(library.ensure(model, { onProgress: ctx.progress, signal: ctx.signal }));
      const { record, session } = await queue.run(() => keepAlive(sessions.create(ctx.origin, model.id, backend, ctx.owner)), ctx.signal);
      if (ctx.signal.aborted) {
        await sessions.destroy(record.id, ctx.origin); // the page gave up while we built it
        throw abortError();
      }
      return describe(record.id, model.id, backend, session);
    },

    async run(request, ctx) {
      const session = await sessions.open(request.session, ctx.origin, ctx.owner);
      const outputs = await queue.run(async () => {
        const started = performance.now();
        const out = await keepAlive(session.run(request.feeds as Record<string, Tensor>));
        recordRun(started);
        sessions.ran(session);
        return out;
      }, ctx.signal);
      return { outputs: toWire(outputs) };
    },

    async destroy(request, ctx) {
      await sessions.destroy(request.session, ctx.origin);
      return {};
    },

    async cancel(request, ctx) {
      ctx.cancel(request.target);
    },

    async lane(_request, ctx) {
      return { token: deps.lanes.issue(ctx.origin, ctx.owner, ctx.origin) };
    },
  };
}

/**
 * The worker's own time of each run as a User Timing measure, 'kiln:run' (DevTools shows them;
 * the transport benchmark subtracts them from what the page sees). The last RUN_MEASURES are kept.
 */
const RUN_MEASURES = 256;
function recordRun(started: number): void {
  if (performance.getEntriesByName('kiln:run', 'measure').length >= RUN_MEASURES) performance.clearMeasures('kiln:run');
  performance.measure('kiln:run', { start: started, end: performance.now() });
}

function describe(id: string, model: string, backend: string, session: InferenceSession): SessionDescription {
  return { session: id, model, backend, inputs: session.inputs.map(info), outputs: session.outputs.map(info) };
}

function info(i: EngineTensorInfo): TensorInfo {
  const type: WireDType | null = i.type !== null && isWireDType(i.type) ? i.type : null;
  return { name: i.name, type, dims: i.dims ? [...i.dims] : null };
}

function toWire(outputs: Record<string, Tensor>): Record<string, WireTensor> {
  const wire: Record<string, WireTensor> = {};
  for (const [name, t] of Object.entries(outputs)) {
    if (Array.isArray(t.data) || !isWireDType(t.type)) throw new KilnError('NotSupportedError', `output '${name}' is a ${t.type} tensor, which the page API does not carry yet`);
    const d = t.data;
    // A view into a larger buffer would clone the whole buffer over the Port: send a compact copy.
    const data = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength ? d : d.slice();
    wire[name] = { type: t.type, dims: [...t.dims], data };
  }
  return wire;
}
