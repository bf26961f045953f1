// Stops the extension's service worker the way Chrome does after 30 s idle, through CDP's
// ServiceWorker domain on a helper page (Target.closeTarget does not stop a worker that
// Playwright is attached to), and reports when the browser says it has stopped.

import type { CDPSession } from 'playwright-core';
import type { LaunchedBrowser } from './browser';

interface WorkerVersion {
  versionId: string;
  scriptURL: string;
  runningStatus: 'stopped' | 'starting' | 'running' | 'stopping';
}

export interface WorkerControl {
  /** Stops the worker (if running) and resolves once its status is 'stopped'. */
  stop(): Promise<void>;
  /** The latest status Chrome reported for the extension's worker. */
  status(): WorkerVersion['runningStatus'] | undefined;
  /** How many times Chrome reported it 'starting' since the control was made. */
  starts(): number;
}

export async function workerControl(browser: LaunchedBrowser): Promise<WorkerControl> {
  const page = await browser.context.newPage();
  const cdp: CDPSession = await browser.context.newCDPSession(page);
  const prefix = `chrome-extension://${browser.extensionId}/`;
  let latest: WorkerVersion['runningStatus'] | undefined;
  let starts = 0;
  const waiters: (() => void)[] = [];
  cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: WorkerVersion[] }) => {
    for (const v of e.versions) {
      if (!v.scriptURL.startsWith(prefix)) continue;
      if (v.runningStatus === 'starting' && latest !== 'starting') starts++;
      latest = v.runningStatus;
      if (latest === 'stopped') waiters.splice(0).forEach((w) => w());
    }
  });
  await cdp.send('ServiceWorker.enable');
  return {
    async stop() {
      const stopped = new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the service worker did not stop (status ${latest})`)), 10_000);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      await cdp.send('ServiceWorker.stopAllWorkers');
      if (latest === 'stopped') waiters.splice(0).forEach((w) => w());
      await stopped;
    },
    status: () => latest,
    starts: () => starts,
  };
}
