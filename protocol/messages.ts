// The wire between page, relay, worker and popup: every message a discriminated union `{kind, id, …}`.
// Types only; protocol/schemas.ts holds the validators that make untrusted values into these.

import type { ErrorName } from './errors';
import type { WireDType, WireTensor } from './tensor';

/** Names of the chrome.runtime Ports that reach the worker. */
export const PORT_NAMES = { page: 'kiln-page', popup: 'kiln-popup', prompt: 'kiln-prompt' } as const;

/** Chrome's built-in AI vocabulary; bundled models are always 'available'. */
export type Availability = 'unavailable' | 'downloadable' | 'downloading' | 'available';

export interface TensorInfo {
  readonly name: string;
  readonly type: WireDType | null;
  /** sizes, symbolic names, or null where unknown; null when the rank is unknown */
  readonly dims: readonly (number | string | null)[] | null;
}

// ---- page → worker (through the relay) ----

/** A model: a catalog id, or an https URL with the sha256 its bytes must have (if the page knows it). */
export type ModelRef = string | { readonly url: string; readonly sha256?: string };

export interface AvailabilityRequest { readonly kind: 'availability'; readonly id: number; readonly model: ModelRef }
export interface CreateRequest { readonly kind: 'create'; readonly id: number; readonly model: ModelRef; readonly backend: string }
export interface RunRequest { readonly kind: 'run'; readonly id: number; readonly session: string; readonly feeds: Readonly<Record<string, WireTensor>> }
export interface DestroyRequest { readonly kind: 'destroy'; readonly id: number; readonly session: string }
/** Asks the worker to drop request `target`; it gets no reply of its own. */
export interface CancelRequest { readonly kind: 'cancel'; readonly id: number; readonly target: number }
/** The relay asks for a one-time token that opens the fast lane (background/lanes.ts) for its connection. */
export interface LaneRequest { readonly kind: 'lane'; readonly id: number }

export type PageRequest = AvailabilityRequest | CreateRequest | RunRequest | DestroyRequest | CancelRequest | LaneRequest;
export type PageRequestKind = PageRequest['kind'];

export interface SessionDescription {
  readonly session: string;
  readonly model: string;
  /** the backend actually used ('auto' resolved) */
  readonly backend: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
}

/** What a successful reply carries, per request kind. */
export interface PageResults {
  availability: { readonly availability: Availability };
  create: SessionDescription;
  run: { readonly outputs: Readonly<Record<string, WireTensor>> };
  destroy: Record<string, never>;
  cancel: never;
  lane: { readonly token: string };
}

/** Over a fast lane: the frame hands the worker the relay's port with its token (frame → worker). */
export interface LaneAttach { readonly kind: 'lane.attach'; readonly token: string }
/** The worker's first message on an attached lane: the relay may send over it from now on. */
export interface LaneReady { readonly kind: 'lane.ready' }

// ---- popup → worker ----

export interface ModelsStatusRequest { readonly kind: 'models.status'; readonly id: number }
/** Installs a model from a URL the user typed (https, or http on localhost); `progress` replies while it downloads. */
export interface ModelsInstallRequest { readonly kind: 'models.install'; readonly id: number; readonly url: string; readonly sha256?: string }
/** Cancels the popup's install of that URL model (an install outlives the popup that started it). */
export interface ModelsCancelRequest { readonly kind: 'models.cancel'; readonly id: number; readonly url: string; readonly sha256?: string }
/** Deletes an installed model: its stored bytes and compiled plans, and the copy the worker holds. */
export interface ModelsDeleteRequest { readonly kind: 'models.delete'; readonly id: number; readonly model: string }
/** Drops a model's compiled plans and compiles it again, for the backends it had plans for (else the best one here). */
export interface ModelsRecompileRequest { readonly kind: 'models.recompile'; readonly id: number; readonly model: string }
/**
 * Compiles a model the popup just installed, for the best backend here, so that a page's first create
 * finds it compiled; it goes on when the popup closes. A model whose input shapes are set by its
 * first run is left to compile then.
 */
export interface ModelsPrepareRequest { readonly kind: 'models.prepare'; readonly id: number; readonly model: string }
/** Times `runs` runs of an installed model on the best backend here, on a synthetic input, after warm-ups. */
export interface ModelsBenchmarkRequest { readonly kind: 'models.benchmark'; readonly id: number; readonly model: string; readonly runs?: number }
export type PopupRequest = ModelsStatusRequest | ModelsInstallRequest | ModelsCancelRequest | ModelsDeleteRequest | ModelsRecompileRequest | ModelsPrepareRequest | ModelsBenchmarkRequest;

export interface ModelStatus {
  readonly id: string;
  readonly name: string;
  readonly task: string;
  readonly bytes: number;
  /** whether the model's bytes are loaded in the worker now */
  readonly loaded: boolean;
  /** sessions of this model open in any page */
  readonly sessions: number;
}

export interface PopupResults {
  'models.status': { readonly models: readonly ModelStatus[] };
  /** the store id the model was installed under (its sha256 when one was given), its name and size */
  'models.install': { readonly id: string; readonly name: string; readonly bytes: number };
  /** whether an install of it was running (and is now cancelled) */
  'models.cancel': { readonly cancelled: boolean };
  /** whether it was installed (and is now gone) */
  'models.delete': { readonly deleted: boolean };
  /** the backends it is compiled for now */
  'models.recompile': { readonly backends: readonly string[] };
  /** the backends it is compiled for now (none: it compiles on a page's first run) */
  'models.prepare': { readonly backends: readonly string[] };
  /** the backend it ran on, the input it was fed (name and dims), each run's time in ms */
  'models.benchmark': { readonly backend: string; readonly input: string; readonly times: readonly number[] };
}

// ---- prompt window → worker: the user's answer to a site's request for a model ----

/** What the user decided: this request only, from now on, or never. */
export type GrantAnswer = 'once' | 'always' | 'deny';

export interface PromptGetRequest { readonly kind: 'prompt.get'; readonly id: number; readonly prompt: string }
export interface PromptAnswerRequest { readonly kind: 'prompt.answer'; readonly id: number; readonly prompt: string; readonly answer: GrantAnswer }
export type PromptRequest = PromptGetRequest | PromptAnswerRequest;

/** What the prompt shows: who asks, for which model. */
export interface PromptDetails {
  readonly origin: string;
  readonly model: { readonly id: string; readonly name: string; readonly source: string; readonly bytes?: number; readonly installed: boolean };
}

export interface PromptResults {
  'prompt.get': PromptDetails;
  'prompt.answer': Record<string, never>;
}

// ---- worker → page / popup ----

export interface ResultReply<V = unknown> { readonly kind: 'result'; readonly id: number; readonly value: V }
/** `id` is null when the request was too malformed to tell which one it was. */
export interface ErrorReply { readonly kind: 'error'; readonly id: number | null; readonly name: ErrorName; readonly message: string }
/** Model download progress for a `create` (or the popup's `models.install`) request, in bytes. */
export interface ProgressReply { readonly kind: 'progress'; readonly id: number; readonly loaded: number; readonly total: number }

export type Reply = ResultReply | ErrorReply | ProgressReply;
