// Site permissions: a page gets a model only once the user granted its origin (the browser's
// word, per frame) that model. Stored answers ('always', 'deny') decide at once; otherwise the user
// is asked in a prompt window, and concurrent requests of one origin for one model share a prompt.
// A closed prompt or one left unanswered counts as a denial this time, and is not stored.

import type { GrantAnswer, PromptDetails } from '../protocol';
import { KilnError } from './errors';
import type { GrantStore } from './store/grants';

/** What became of a prompt: the user's answer, or 'dismissed' (window closed, or no answer in time). */
export type PromptOutcome = GrantAnswer | 'dismissed';

/** Shows the user `details` and resolves with what became of the prompt. */
export type AskUser = (details: PromptDetails) => Promise<PromptOutcome>;

export class Permissions {
  private readonly asking = new Map<string, Promise<PromptOutcome>>();

  constructor(
    private readonly grants: GrantStore,
    private readonly ask: AskUser,
  ) {}

  /** Resolves when `origin` may use the model, or throws NotAllowedError. */
  async require(details: PromptDetails): Promise<void> {
    const { origin, model } = details;
    const stored = await this.grants.get(origin, model.id);
    if (stored === 'always') return;
    if (stored === 'denied') throw denied(origin, model.name, 'the user denied it; grants are changed in the Kiln popup');
    const key = JSON.stringify([origin, model.id]);
    let answer = this.asking.get(key);
    if (!answer) {
      answer = this.ask(details).then(async (a) => {
        // only a deliberate answer is remembered: once and a dismissal ask again next time
        if (a === 'always' || a === 'deny') await this.grants.set(origin, model.id, a === 'always' ? 'always' : 'denied');
        return a;
      });
      this.asking.set(key, answer);
      void answer.finally(() => this.asking.delete(key)).catch(() => undefined);
    }
    const outcome = await answer;
    if (outcome === 'deny') throw denied(origin, model.name, 'the user did not allow it');
    if (outcome === 'dismissed') throw denied(origin, model.name, 'the permission prompt was closed without an answer');
  }
}

function denied(origin: string, model: string, why: string): KilnError {
  return new KilnError('NotAllowedError', `${origin} may not use model '${model}': ${why}`);
}
