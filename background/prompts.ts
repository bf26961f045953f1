// The grant prompt: a small extension window (prompt/index.html?prompt=ID) that asks the user
// whether a site may use a model. The worker keeps each open prompt's details and its resolver;
// the window reads the details and sends the answer over the 'kiln-prompt' port. Closing the
// window, or leaving it unanswered for PROMPT_TIMEOUT_MS, dismisses it (refused, not remembered).

import type { PromptDetails } from '../protocol';
import type { PromptOutcome } from './permissions';
import { KilnError } from './errors';

export const PROMPT_TIMEOUT_MS = 5 * 60_000;

interface Open {
  readonly details: PromptDetails;
  readonly resolve: (outcome: PromptOutcome) => void;
  windowId?: number;
}

export class Prompts {
  private readonly open = new Map<string, Open>();

  constructor() {
    chrome.windows.onRemoved.addListener((windowId) => {
      for (const [id, p] of this.open) if (p.windowId === windowId) this.answer(id, 'dismissed');
    });
  }

  /** Opens a prompt window and resolves with the user's answer. */
  ask = (details: PromptDetails): Promise<PromptOutcome> =>
    new Promise<PromptOutcome>((resolve) => {
      const id = crypto.randomUUID();
      const timer = setTimeout(() => this.answer(id, 'dismissed'), PROMPT_TIMEOUT_MS);
      const entry: Open = { details, resolve: (a) => { clearTimeout(timer); resolve(a); } };
      this.open.set(id, entry);
      chrome.windows
        .create({ url: chrome.runtime.getURL(`prompt/index.html?prompt=${id}`), type: 'popup', width: 440, height: 340, focused: true })
        .then((w) => {
          entry.windowId = w?.id;
          if (!this.open.has(id) && w?.id !== undefined) void chrome.windows.remove(w.id).catch(() => undefined);
        })
        .catch((e) => {
          console.warn('kiln: could not open the permission prompt', e);
          this.answer(id, 'dismissed');
        });
    });

  details(id: string): PromptDetails {
    const p = this.open.get(id);
    if (!p) throw new KilnError('NotFoundError', `no open prompt '${id}' (answered, or timed out)`);
    return p.details;
  }

  /** Records the answer and closes the prompt's window. */
  answer(id: string, answer: PromptOutcome): void {
    const p = this.open.get(id);
    if (!p) return;
    this.open.delete(id);
    p.resolve(answer);
    if (p.windowId !== undefined) void chrome.windows.remove(p.windowId).catch(() => undefined);
  }
}
