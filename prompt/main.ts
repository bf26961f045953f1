// The grant prompt window: shows which site asks for which model (from the worker, by the prompt
// id in the URL) and sends the user's answer. The worker closes the window once it has it.

import { askFromPrompt } from '../protocol/popup-client';
import type { GrantAnswer } from '../protocol';
import { formatSize } from '../popup/format';

const prompt = new URLSearchParams(location.search).get('prompt') ?? '';
const status = document.getElementById('status') as HTMLParagraphElement;
const buttons = (['deny', 'once', 'always'] as const).map((a) => [a, document.getElementById(a) as HTMLButtonElement] as const);
const text = (id: string, value: string) => ((document.getElementById(id) as HTMLElement).textContent = value);

async function show(): Promise<void> {
  const d = await askFromPrompt({ kind: 'prompt.get', prompt });
  text('origin', d.origin);
  text('model-name', d.model.name);
  text('model-source', d.model.source === 'catalog' ? 'built into Kiln' : d.model.source);
  text('model-size', d.model.bytes === undefined ? 'unknown until downloaded' : formatSize(d.model.bytes));
  if (!d.model.installed && d.model.source !== 'catalog') text('note', 'Allowing downloads the model into Kiln. Your data stays on this machine: the model runs inside Kiln.');
  (document.getElementById('always') as HTMLButtonElement).focus();
}

async function answer(a: GrantAnswer): Promise<void> {
  for (const [, b] of buttons) b.disabled = true;
  try {
    await askFromPrompt({ kind: 'prompt.answer', prompt, answer: a });
    status.textContent = 'Answered.';
  } catch (e) {
    status.textContent = `Could not answer: ${(e as Error).message}`;
  }
}

for (const [a, b] of buttons) b.addEventListener('click', () => void answer(a));
// Escape is a denial, as closing the window is.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') void answer('deny');
});
show().catch((e: Error) => {
  status.textContent = `This request is no longer open (${e.message}).`;
  for (const [, b] of buttons) b.disabled = true;
});
