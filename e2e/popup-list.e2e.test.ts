// The popup's worker channel: `models.status` counts the sessions pages hold, and the popup shows
// it as a badge on the model ("1 open session"); the popup's controls are reachable with Tab.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, servePage, type LaunchedBrowser, type ServedPage } from './browser';
import { popupStatus } from './harness';
import { CATALOG } from '../models/catalog';

describe('popup status', () => {
  let browser: LaunchedBrowser;
  let site: ServedPage;

  beforeAll(async () => {
    browser = await launchWithExtension();
    site = await servePage('<!doctype html><title>popup test</title><p>page</p>');
  });
  afterAll(async () => {
    await site?.close();
    await browser?.close();
  });

  it('models.status lists the catalog with no sessions, then counts a page’s session', async () => {
    const before = await popupStatus(browser);
    expect(before.map((s) => s.id)).toEqual(CATALOG.map((m) => m.id));
    expect(before.every((s) => s.sessions === 0)).toBe(true);

    const page = await browser.context.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => 'kiln' in window);
    await page.evaluate(async () => {
      (window as unknown as { held: unknown }).held = await window.kiln.create('blazeface', { backend: 'reference' });
    });
    const after = await popupStatus(browser);
    expect(after.find((s) => s.id === 'blazeface')).toMatchObject({ sessions: 1, loaded: true });
    expect(after.find((s) => s.id === 'ppocr-cls')).toMatchObject({ sessions: 0 });

    const popup = await browser.context.newPage();
    await popup.setViewportSize({ width: 360, height: 600 });
    await popup.goto(`chrome-extension://${browser.extensionId}/popup/index.html`);
    await popup.locator('body[data-ready]').waitFor({ timeout: 30_000 });
    await expect(popup.locator('#models li[data-model="blazeface"] .badge').textContent()).resolves.toBe('1 open session');
    expect(await popup.locator('#models li[data-model="ppocr-cls"] .badge').count()).toBe(0);
    // keyboard: Tab goes through the real controls: blazeface's Benchmark, Recompile and Delete, the file input, the URL field
    const focused: string[] = [];
    for (let i = 0; i < 8; i++) {
      await popup.keyboard.press('Tab');
      focused.push(await popup.evaluate(() => document.activeElement?.id || document.activeElement?.className || ''));
    }
    expect(focused).toEqual(expect.arrayContaining(['benchmark', 'recompile', 'delete', 'install-file', 'install-url', 'install-sha256', 'install-url-button']));
    await popup.close();
    await page.close();
  });
});
