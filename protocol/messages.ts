// The wire between page, relay, worker and popup: every message a discriminated union `{kind, id, …}`.
// Types only; protocol/schemas.ts holds the validators that make untrusted values into these.

import type { ErrorName } from './errors';
import type { WireDType, WireTensor } from './tensor';

/** Names of the chrome.runtime Ports that reach the worker. */
export const PORT_NAMES = { page: 'kiln-page', popup: 'kiln-popup' } as const;

/** Chrome's built-in AI vocabulary; bundled models are always 'available'. */
export type Availability = 'unavailable' | 'downloadable' | 'downloading' | 'available';

export interface TensorInfo {
  readonly name: string;
  readonly type: WireDType | null;
  /** sizes, symbolic names, or null where unknown; null when the rank is unknown */
  readonly dims: readonly (number | string | null)[] | null;
}

// ---- page → worker (through the relay) ----

export interface AvailabilityRequest { readonly kind: 'availability'; readonly id: number; readonly model: string }
export interface CreateRequest { readonly kind: 'create'; readonly id: number; readonly model: string; readonly backend: string }
export interface RunRequest { readonly kind: 'run'; readonly id: number; readonly session: string; readonly feeds: Readonly<Record<string, WireTensor>> }
export interface DestroyRequest { readonly kind: 'destroy'; readonly id: number; readonly session: string }
/** Asks the worker to drop request `target`; it gets no reply of its own. */
export interface CancelRequest { readonly kind: 'cancel'; readonly id: number; readonly target: number }

export type PageRequest = AvailabilityRequest | CreateRequest | RunRequest | DestroyRequest | CancelRequest;
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
}

// ---- popup → worker ----

export interface ModelsStatusRequest { readonly kind: 'models.status'; readonly id: number }
export type PopupRequest = ModelsStatusRequest;

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
}

// ---- worker → page / popup ----

export interface ResultReply<V = unknown> { readonly kind: 'result'; readonly id: number; readonly value: V }
/** `id` is null when the request was too malformed to tell which one it was. */
export interface ErrorReply { readonly kind: 'error'; readonly id: number | null; readonly name: ErrorName; readonly message: string }
/** Model download progress for a `create` request, in bytes. */
export interface ProgressReply { readonly kind: 'progress'; readonly id: number; readonly loaded: number; readonly total: number }

export type Reply = ResultReply | ErrorReply | ProgressReply;
