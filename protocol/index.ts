// protocol/: the one definition of the wire, shared by page API, relay, worker and popup.
// Import types freely; schemas.ts pulls in zod, so only the worker imports it; popup-client.ts
// (askWorker) is for extension pages.

export * from './errors';
export * from './limits';
export * from './messages';
export * from './model-ref';
export * from './tensor';
