// One handler per prompt-window request kind: read what is asked, give the user's answer.

import type { PromptRequest, PromptResults } from '../../protocol';
import type { Prompts } from '../prompts';

export type PromptHandlers = { [K in PromptRequest['kind']]: (request: Extract<PromptRequest, { kind: K }>) => Promise<PromptResults[K]> };

export function promptHandlers(prompts: Prompts): PromptHandlers {
  return {
    async 'prompt.get'(request) {
      return prompts.details(request.prompt);
    },
    async 'prompt.answer'(request) {
      prompts.details(request.prompt); // NotFoundError when it is no longer open
      prompts.answer(request.prompt, request.answer);
      return {};
    },
  };
}
