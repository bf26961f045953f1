// A session as the page sees it: `inputs`, `outputs`, `run(feeds, {signal})`, `destroy()`.

import type { SessionDescription, TensorInfo, WireTensor } from '../protocol';
import { prepareFeeds } from './feeds';
import { abortReason, type PortClient } from './page-client';

export interface RunOptions {
  signal?: AbortSignal;
}

function freezeInfo(list: readonly TensorInfo[]): readonly TensorInfo[] {
  return Object.freeze(list.map((i) => Object.freeze({ name: i.name, type: i.type, dims: i.dims ? Object.freeze([...i.dims]) : null })));
}

export class KilnSession {
  readonly model: string;
  readonly backend: string;
  readonly inputs: readonly TensorInfo[];
  readonly outputs: readonly TensorInfo[];
  readonly #client: PortClient;
  readonly #id: string;
  #destroyed = false;
  /** runs in flight, aborted by destroy() */
  readonly #runs = new Set<AbortController>();

  constructor(client: PortClient, description: SessionDescription) {
    this.#client = client;
    this.#id = description.session;
    this.model = description.model;
    this.backend = description.backend;
    this.inputs = freezeInfo(description.inputs);
    this.outputs = freezeInfo(description.outputs);
  }

  async run(feeds: Record<string, WireTensor>, options: RunOptions = {}): Promise<Record<string, WireTensor>> {
    if (this.#destroyed) throw new DOMException('this session was destroyed', 'InvalidStateError');
    const { signal } = options;
    if (signal?.aborted) throw abortReason(signal);
    const prepared = prepareFeeds(feeds);
    // One controller per run joins the caller's signal and destroy().
    const controller = new AbortController();
    const forward = () => controller.abort(abortReason(signal!));
    signal?.addEventListener('abort', forward, { once: true });
    this.#runs.add(controller);
    try {
      const { outputs } = await this.#client.request<'run'>({ kind: 'run', session: this.#id, feeds: prepared.feeds }, { signal: controller.signal, transfer: prepared.transfer });
      return outputs;
    } finally {
      this.#runs.delete(controller);
      signal?.removeEventListener('abort', forward);
    }
  }

  /** Frees the session in the worker; runs in flight reject with AbortError. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const c of this.#runs) c.abort(new DOMException('the session was destroyed', 'AbortError'));
    this.#runs.clear();
    await this.#client.request<'destroy'>({ kind: 'destroy', session: this.#id });
  }
}
