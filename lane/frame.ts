// The fast lane's hidden iframe (background/lanes.ts): it takes the MessagePort and token that the
// relay in the embedding page posts to it and hands both to the extension's service worker, which
// accepts the port only with a token it issued to that relay over its authenticated runtime Port.

import type { LaneAttach } from '../protocol';

addEventListener('message', (event: MessageEvent<{ kind?: unknown; token?: unknown }>) => {
  const port = event.ports[0];
  if (event.source !== parent || event.data?.kind !== 'kiln-lane' || typeof event.data.token !== 'string' || !port) return;
  const attach: LaneAttach = { kind: 'lane.attach', token: event.data.token };
  void navigator.serviceWorker.ready.then((registration) => registration.active?.postMessage(attach, [port]));
});
