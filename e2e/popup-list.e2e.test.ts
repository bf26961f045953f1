// The popup in the real extension: every catalog model's name and size is listed, the status
// comes from the service worker (bundled, then "1 open session" while a page holds one), and
// screenshots (light and dark) land in .out/ for a person to look at.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { launchWithExtension, servePage, type LaunchedBrowser, type ServedPage } from './browser';
import { CATALOG } from '../models/catalog';
import { formatSize } from '../popup/format';

const OUT = join(__dirname, '..', '.out');

describe('popup', () => {
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

  async function openPopup(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width: 360, height: 400 });
    await page.goto(`chrome-extension://${browser.extensionId}/popup/index.html`);
    await page.locator('.badge:not([data-unknown])').first().waitFor({ timeout: 30_000 });
    return page;
  }

  it('lists every catalog model with its name, size and status', async () => {
    const popup = await openPopup();
    for (const m of CATALOG) {
      const item = popup.locator(`li[data-model="${m.id}"]`);
      await expect(item.locator('.model-name').textContent()).resolves.toBe(m.name);
      await expect(item.locator('.model-size').textContent()).resolves.toBe(formatSize(m.bytes));
      await expect(item.locator('.badge').textContent()).resolves.toBe('bundled');
    }
    mkdirSync(OUT, { recursive: true });
    await popup.screenshot({ path: join(OUT, 'popup.png'), fullPage: true });
    await popup.close();
  });

  it('counts the sessions a page holds open', async () => {
    const page = await browser.context.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => 'kiln' in window);
    await page.evaluate(async () => {
      (window as unknown as { held: unknown }).held = await window.kiln.create('blazeface', { backend: 'reference' });
    });
    const popup = await openPopup('dark');
    await expect(popup.locator('li[data-model="blazeface"] .badge').textContent()).resolves.toBe('1 open session');
    await expect(popup.locator('li[data-model="ppocr-cls"] .badge').textContent()).resolves.toBe('bundled');
    await popup.screenshot({ path: join(OUT, 'popup-dark.png'), fullPage: true });
    // keyboard: the refresh button is reachable with Tab
    await popup.keyboard.press('Tab');
    await popup.keyboard.press('Tab');
    await popup.keyboard.press('Tab');
    expect(await popup.evaluate(() => document.activeElement?.id)).toBe('refresh');
    await popup.close();
    await page.close();
  });
});
