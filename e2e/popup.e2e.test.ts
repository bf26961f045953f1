// The popup in the real extension, end to end: built-in models and the device (SwiftShader's
// WebGPU adapter, WASM SIMD), install from a URL (progress bar) and from a file, each compiled for
// this device right after, a site's grant
// listed and revoked, delete freeing the storage. Screenshots land in .out/popup-*.png, and every
// step asserts on the DOM the screenshot shows.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { compiledEntries, launchWithExtension, servePage, type LaunchedBrowser, type ServedPage } from './browser';
import { CATALOG } from '../models/catalog';
import { formatSize } from '../popup/format';

const OUT = join(__dirname, '..', '.out');
const MODELS = '/work/shared/models';
const SQUEEZENET = join(MODELS, 'squeezenet1_1.onnx');
const MOBILENET = join(MODELS, 'mobilenet_v2.onnx');
const sha256Of = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

describe('popup', () => {
  let browser: LaunchedBrowser;
  let models: ServedPage;
  let site: ServedPage;
  let popup: Page;

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launchWithExtension();
    models = await servePage(MODELS);
    site = await servePage('<!doctype html><title>site</title><p>a site that uses a model</p>');
  });
  afterAll(async () => {
    await site?.close();
    await models?.close();
    await browser?.close();
  });

  async function openPopup(colorScheme: 'light' | 'dark' = 'light'): Promise<Page> {
    const page = await browser.context.newPage();
    await page.emulateMedia({ colorScheme });
    await page.setViewportSize({ width: 360, height: 600 });
    await page.goto(`chrome-extension://${browser.extensionId}/popup/index.html`);
    await page.locator('body[data-ready]').waitFor({ timeout: 30_000 });
    return page;
  }

  const item = (id: string) => popup.locator(`#models li[data-model="${id}"]`);
  const statusText = () => popup.locator('#status').textContent();
  const modelBytes = async () => Number(await popup.locator('#storage-models').getAttribute('data-bytes'));

  it('lists the built-in models and the device: SwiftShader WebGPU (software), WASM SIMD', async () => {
    popup = await openPopup();
    for (const m of CATALOG) {
      await expect(item(m.id).locator('.model-name').textContent()).resolves.toBe(m.name);
      await expect(item(m.id).locator('.model-size').textContent()).resolves.toBe(formatSize(m.bytes));
      await expect(item(m.id).locator('.model-state').textContent()).resolves.toBe('built in, installs on first use');
    }
    await popup.locator('#device-webgpu .adapter').waitFor();
    const adapter = (await popup.locator('#device-webgpu .adapter').textContent())!;
    expect(adapter.toLowerCase()).toContain('swiftshader');
    // SwiftShader is the browser's software adapter: 'auto' passes it over for the WASM kernels
    expect(adapter).toContain('software, the CPU emulating a GPU: models run on WebAssembly instead');
    expect(await popup.locator('#device-webgpu .limits').textContent()).toContain('maxStorageBufferBindingSize');
    // Chromium has relaxed SIMD: the worker runs the relaxed build of the kernels
    expect(await popup.locator('#device-simd').textContent()).toBe('yes, relaxed SIMD too (fused multiply-adds)');
    expect(await modelBytes()).toBe(0);
    expect(await popup.locator('#storage-browser').textContent()).toMatch(/available/);
    expect(await popup.locator('#sites-empty').isVisible()).toBe(true);
    // real, labelled controls
    expect(await popup.locator('label[for="install-url"]').count()).toBe(1);
    expect(await popup.locator('input#install-file[type="file"][accept=".onnx"]').count()).toBe(1);
    await popup.screenshot({ path: join(OUT, 'popup-start.png'), fullPage: true });
  });

  it('refuses a URL that is not https (or localhost)', async () => {
    await popup.fill('#install-url', 'http://example.com/model.onnx');
    await popup.click('#install-url-button');
    expect(await statusText()).toMatch(/https/);
    expect(await popup.locator('#status').getAttribute('data-kind')).toBe('error');
    expect(await popup.locator('#install-url').getAttribute('aria-invalid')).toBe('true');
  });

  it('refuses a URL model whose bytes do not match the sha256, with the error in the status line', async () => {
    await popup.fill('#install-url', `${models.origin}/squeezenet1_1.onnx`);
    await popup.fill('#install-sha256', '0'.repeat(64));
    await popup.click('#install-url-button');
    await popup.waitForFunction(() => /Could not install/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await statusText()).toContain('failed its integrity check');
    expect(await popup.locator('#status').getAttribute('data-kind')).toBe('error');
    expect(await item('0'.repeat(64)).count()).toBe(0);
    expect(await modelBytes()).toBe(0);
    expect(await popup.locator('#install-url-button').isDisabled()).toBe(false);
  });

  it('installs a model from a URL with a progress bar, then lists it with its size', async () => {
    const size = statSync(SQUEEZENET).size;
    await popup.fill('#install-url', `${models.origin}/squeezenet1_1.onnx`);
    await popup.fill('#install-sha256', sha256Of(SQUEEZENET));
    // keyboard: Enter in the field submits the form
    await popup.press('#install-sha256', 'Enter');
    // installed, then compiling (or compiled already)
    await popup.waitForFunction(() => /^Installed .*\. Compil/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await statusText()).toMatch(/^Installed squeezenet1_1\.onnx \([^)]+\)\. (Compiling it for this device…|Compiled for wasm\.)$/);
    const bar = popup.locator('#install-progress');
    expect(await bar.isVisible()).toBe(true);
    expect(Number(await bar.getAttribute('data-updates'))).toBeGreaterThan(0);
    expect(await bar.getAttribute('data-percent')).toBe('100');
    expect(await bar.evaluate((p: HTMLProgressElement) => p.value === p.max && p.max === 4950121)).toBe(true);
    const m = item(sha256Of(SQUEEZENET));
    await expect(m.locator('.model-name').textContent()).resolves.toBe('squeezenet1_1.onnx');
    await expect(m.locator('.model-size').textContent()).resolves.toBe(formatSize(size));
    await expect(m.locator('.model-source').textContent()).resolves.toBe(`URL ${new URL(models.origin).host}/squeezenet1_1.onnx`);
    await expect(m.locator('.model-format').textContent()).resolves.toBe('ONNX');
    await expect(m.locator('.model-used').textContent()).resolves.toBe('used just now');
    expect(await modelBytes()).toBe(size);
    // then compiled in the worker for this device ('auto': WebAssembly beside a software adapter),
    // so that a page's first create restores it instead of compiling
    await popup.waitForFunction(() => /Compiled for/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await statusText()).toBe(`Installed squeezenet1_1.onnx (${formatSize(size)}). Compiled for wasm.`);
    await expect.poll(() => m.locator('.model-backends').textContent(), { timeout: 10_000 }).toBe('compiled: wasm');
    expect(await compiledEntries(browser.context)).toBe(1);
    await popup.screenshot({ path: join(OUT, 'popup-url-installed.png'), fullPage: true });
  });

  it('installs a model from a file', async () => {
    const size = statSync(MOBILENET).size;
    await popup.setInputFiles('#install-file', MOBILENET);
    await popup.waitForFunction(() => /Installed mobilenet/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const m = item(sha256Of(MOBILENET));
    await expect(m.locator('.model-name').textContent()).resolves.toBe('mobilenet_v2.onnx');
    await expect(m.locator('.model-size').textContent()).resolves.toBe(formatSize(size));
    await expect(m.locator('.model-source').textContent()).resolves.toBe('file mobilenet_v2.onnx');
    expect(await popup.locator('#install-progress').getAttribute('data-percent')).toBe('100');
    expect(await modelBytes()).toBe(size + statSync(SQUEEZENET).size);
    await popup.waitForFunction(() => /Compiled for/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await compiledEntries(browser.context)).toBe(2);
    // the same file again: nothing new
    await popup.setInputFiles('#install-file', MOBILENET);
    await popup.waitForFunction(() => /already installed/.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 60_000 });
    expect(await popup.locator(`#models li[data-model="${sha256Of(MOBILENET)}"]`).count()).toBe(1);
  });

  it("lists a site's grant and revokes it", async () => {
    const page = await browser.context.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => 'kiln' in window);
    await page.evaluate(async () => {
      const s = await window.kiln.create('ppocr-cls', { backend: 'reference' });
      await s.destroy();
    });
    await page.close();
    await popup.close();
    popup = await openPopup('dark');
    const grant = popup.locator(`#sites li[data-origin="${site.origin}"]`);
    await expect(grant.locator('.site-origin').textContent()).resolves.toBe(site.origin);
    await expect(grant.locator('.site-decision').textContent()).resolves.toBe('always');
    await expect(grant.locator('.site-model').textContent()).resolves.toContain('ppocr-cls');
    // the catalog model the site used is installed now, from the package
    await expect(item('ppocr-cls').locator('.model-source').textContent()).resolves.toBe('built in');
    await popup.screenshot({ path: join(OUT, 'popup-sites-dark.png'), fullPage: true });
    // keyboard: focus the Revoke button and press Enter
    await grant.locator('button.revoke').focus();
    await popup.keyboard.press('Enter');
    await popup.locator(`#sites li[data-origin="${site.origin}"]`).waitFor({ state: 'detached' });
    expect(await statusText()).toContain(site.origin);
    expect(await popup.locator('#sites-empty').isVisible()).toBe(true);
  });

  it('benchmarks a model in one click: a histogram of its run times, the median marked; recompile lists its backend', async () => {
    const cls = item('ppocr-cls');
    await cls.locator('button.benchmark').click();
    const chart = cls.locator('.model-bench svg.latency-chart');
    await chart.waitFor({ timeout: 120_000 });
    expect(await chart.getAttribute('data-runs')).toBe('20');
    const p50 = Number(await chart.getAttribute('data-p50'));
    expect(p50).toBeGreaterThan(0);
    expect(await chart.locator('rect.bar').count()).toBeGreaterThan(0);
    expect(await chart.locator('line.p50').count()).toBe(1);
    const backend = await cls.locator('.model-bench').getAttribute('data-backend');
    expect(['webgpu', 'wasm']).toContain(backend);
    await expect(cls.locator('.bench-text').textContent()).resolves.toMatch(new RegExp(`^median [0-9.]+ ms · fastest [0-9.]+ · slowest [0-9.]+ ms · 20 runs on ${backend}$`));
    expect(await chart.getAttribute('aria-label')).toMatch(/^Run times of 20 runs: median [0-9.]+ ms/);
    expect(await statusText()).toMatch(new RegExp(`^PP-OCR.*: median [0-9.]+ ms on ${backend}\\.$`));
    await popup.screenshot({ path: join(OUT, 'popup-benchmark-dark.png'), fullPage: true });

    // keyboard: Recompile by Enter; the model is then listed as compiled for that backend
    await cls.locator('button.recompile').focus();
    await popup.keyboard.press('Enter');
    await popup.waitForFunction(() => /^Recompiled /.test(document.getElementById('status')?.textContent ?? ''), undefined, { timeout: 120_000 });
    expect(await statusText()).toMatch(new RegExp(`for ${backend}\\.$`));
    // the list is read again after the status line says so
    await expect.poll(() => item('ppocr-cls').locator('.model-backends').textContent(), { timeout: 10_000 }).toBe(`compiled: ${backend}`);
  });

  it('deletes the URL model: gone from the list, its bytes off the storage line', async () => {
    const id = sha256Of(SQUEEZENET);
    const before = await modelBytes();
    await item(id).locator('button.delete').click();
    await item(id).waitFor({ state: 'detached' });
    expect(await statusText()).toBe(`Deleted squeezenet1_1.onnx: ${formatSize(statSync(SQUEEZENET).size)} freed.`);
    await popup.waitForFunction((b) => Number(document.getElementById('storage-models')?.dataset.bytes) < b, before);
    expect(await modelBytes()).toBe(before - statSync(SQUEEZENET).size);
    await popup.screenshot({ path: join(OUT, 'popup-deleted-dark.png'), fullPage: true });
    await popup.close();
  });
});
