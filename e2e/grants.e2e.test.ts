// Site permissions and installs from a URL, with the user's answers given in the real prompt
// window: a site allowed always keeps its grant; a second origin is refused (NotAllowedError) once
// the user denies it, without being asked again; a model from a URL (a local test server) is
// refused when its sha256 differs, and installs with 'downloadprogress' events when it matches.

/// <reference path="../types/kiln.d.ts" />
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { answerPrompt, launchWithExtension, nextPrompt, servePage, type LaunchedBrowser, type ServedPage } from './browser';

const MODELS = resolve(__dirname, '../../shared/models');
const FILE = 'squeezenet1_1.onnx';
const bytes = readFileSync(resolve(MODELS, FILE));
const sha256 = createHash('sha256').update(bytes).digest('hex');

let browser: LaunchedBrowser;
let siteA: ServedPage;
let siteB: ServedPage;
let models: ServedPage;
let pageA: Page;
let pageB: Page;

beforeAll(async () => {
  browser = await launchWithExtension({ prompts: 'manual' });
  siteA = await servePage('<!doctype html><title>site a</title>');
  siteB = await servePage('<!doctype html><title>site b</title>');
  models = await servePage(MODELS);
  pageA = await browser.context.newPage();
  await pageA.goto(siteA.url);
  pageB = await browser.context.newPage();
  await pageB.goto(siteB.url);
});
afterAll(async () => {
  for (const s of [siteA, siteB, models]) await s?.close();
  await browser?.close();
});

type Outcome = { ok: true; model: string; inputs: number; progress: { loaded: number; total: number }[] } | { ok: false; name: string; message: string };

/** Starts kiln.create in the page; the outcome (plain JSON) resolves once the worker answers. */
function create(page: Page, model: KilnModel): Promise<Outcome> {
  return page.evaluate(async (model) => {
    const progress: { loaded: number; total: number }[] = [];
    try {
      const s = await window.kiln.create(model, {
        backend: 'reference',
        monitor: (m) => m.addEventListener('downloadprogress', (e) => progress.push({ loaded: (e as ProgressEvent).loaded, total: (e as ProgressEvent).total })),
      });
      const out = { ok: true as const, model: s.model, inputs: s.inputs.length, progress };
      await s.destroy();
      return out;
    } catch (e) {
      return { ok: false as const, name: (e as Error).name, message: (e as Error).message };
    }
  }, model);
}

it('asks once per origin: always allowed keeps working, a denied second origin gets NotAllowedError until granted', async () => {
  const first = create(pageA, 'ppocr-cls');
  const prompt = await nextPrompt(browser.context);
  expect(await prompt.textContent('#origin')).toBe(siteA.origin);
  expect(await prompt.textContent('#model-source')).toBe('built into Kiln');
  await answerPrompt(prompt, 'always');
  expect(await first).toMatchObject({ ok: true, model: 'ppocr-cls' });
  // granted: no prompt the second time (one would hang this call until the test times out)
  expect(await create(pageA, 'ppocr-cls')).toMatchObject({ ok: true });

  const second = create(pageB, 'ppocr-cls');
  const promptB = await nextPrompt(browser.context);
  expect(await promptB.textContent('#origin')).toBe(siteB.origin);
  await answerPrompt(promptB, 'deny');
  expect(await second).toMatchObject({ ok: false, name: 'NotAllowedError' });
  expect(await create(pageB, 'ppocr-cls')).toMatchObject({ ok: false, name: 'NotAllowedError' });
  // …while site A keeps its grant
  expect(await create(pageA, 'ppocr-cls')).toMatchObject({ ok: true });
});

it('installs a model from a URL: a wrong sha256 is refused and stores nothing; the right one installs with progress', async () => {
  const url = `${models.origin}/${FILE}`;
  const bad = create(pageA, { url, sha256: '0'.repeat(64) });
  const p1 = await nextPrompt(browser.context);
  expect(await p1.textContent('#model-source')).toBe(url);
  await answerPrompt(p1, 'once');
  const refused = await bad;
  expect(refused).toMatchObject({ ok: false, name: 'DataError' });
  expect((refused as { message: string }).message).toContain(sha256);
  expect(await pageA.evaluate((u) => window.kiln.availability({ url: u, sha256: '0'.repeat(64) }), url)).toBe('downloadable');

  const good = create(pageA, { url, sha256 });
  const p2 = await nextPrompt(browser.context);
  await answerPrompt(p2, 'always');
  const installed = await good;
  expect(installed).toMatchObject({ ok: true, model: sha256, inputs: 1 });
  const progress = (installed as { progress: { loaded: number; total: number }[] }).progress;
  expect(progress.length).toBeGreaterThan(1);
  expect(progress.at(-1)).toEqual({ loaded: bytes.byteLength, total: bytes.byteLength });
  expect(await pageA.evaluate((u) => window.kiln.availability(u), { url, sha256 })).toBe('available');
  // installed and granted: the next create reads it from the store without asking or downloading
  await models.close();
  expect(await create(pageA, { url, sha256 })).toMatchObject({ ok: true, model: sha256, progress: [{ loaded: 0 }, { loaded: bytes.byteLength }] });
});
