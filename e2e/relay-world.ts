// Reaches into the relay's ISOLATED world of a page through CDP, to talk to the service worker
// the way the relay does (a chrome.runtime Port from the content script), with raw messages the
// page API would never send.

import type { BrowserContext, Page } from 'playwright-core';

interface ContextDescription {
  id: number;
  name: string;
  auxData?: { type?: string; frameId?: string; isDefault?: boolean };
}

export interface RelayWorld {
  /** Evaluates an expression (a Promise is awaited) in the extension's isolated world; returns JSON. */
  evaluate<T>(expression: string): Promise<T>;
  /**
   * Opens a fresh page Port to the worker, posts each message (built in that world by the given
   * JS expression, so typed arrays stay typed arrays), and collects replies until `expect` replies
   * came or `timeoutMs` passed.
   */
  exchange(messageExpressions: string[], expect: number, timeoutMs?: number): Promise<unknown[]>;
}

export async function relayWorld(context: BrowserContext, page: Page, extensionName = 'Kiln'): Promise<RelayWorld> {
  const cdp = await context.newCDPSession(page);
  const contexts: ContextDescription[] = [];
  cdp.on('Runtime.executionContextCreated', (e: { context: ContextDescription }) => contexts.push(e.context));
  await cdp.send('Runtime.enable');
  const mainFrame = (await cdp.send('Page.getFrameTree')).frameTree.frame.id;
  const deadline = Date.now() + 5000;
  const find = () => [...contexts].reverse().find((c) => c.name === extensionName && c.auxData?.type === 'isolated' && c.auxData.frameId === mainFrame);
  let world: ContextDescription | undefined;
  while (!(world = find())) {
    if (Date.now() > deadline) throw new Error(`no isolated world named ${extensionName} in ${page.url()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const contextId = world.id;
  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await cdp.send('Runtime.evaluate', { contextId, expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails) throw new Error(`in the relay world: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  };
  return {
    evaluate,
    exchange(messageExpressions, expect, timeoutMs = 10_000) {
      return evaluate<unknown[]>(`new Promise((resolve) => {
        const replies = [];
        const port = chrome.runtime.connect({ name: 'kiln-page' });
        const done = () => { port.disconnect(); resolve(replies); };
        port.onMessage.addListener((m) => { replies.push(m); if (replies.length >= ${expect}) done(); });
        port.onDisconnect.addListener(() => resolve(replies));
        setTimeout(done, ${timeoutMs});
        for (const make of [${messageExpressions.map((e) => `() => (${e})`).join(', ')}]) {
          try { port.postMessage(make()); } catch (e) { replies.push({ kind: 'post-failed', message: String(e) }); }
        }
      })`);
    },
  };
}
