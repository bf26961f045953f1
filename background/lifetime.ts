// Service-worker lifetime: Chrome stops an idle extension worker after 30 s without extension
// events or API calls, even while a fetch or a compile is running. Long work (a download, a
// compile, a long queue) is wrapped in keepAlive, which calls a cheap extension API every 20 s
// until it settles — the way Chrome's documentation sanctions
// (developer.chrome.com/docs/extensions/develop/concepts/service-workers/lifecycle).

const PING_MS = 20_000;
let pending = 0;
let timer: ReturnType<typeof setInterval> | undefined;

export async function keepAlive<T>(work: Promise<T>): Promise<T> {
  if (!globalThis.chrome?.runtime?.getPlatformInfo) return work; // not in an extension (Node tests)
  if (pending++ === 0) timer = setInterval(() => void chrome.runtime.getPlatformInfo().catch(() => undefined), PING_MS);
  try {
    return await work;
  } finally {
    if (--pending === 0) clearInterval(timer);
  }
}
