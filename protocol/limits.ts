// Bounds on everything a page may send. One table, read by the validators (protocol/schemas.ts),
// by the page API for early errors, and quoted in docs/extension.md.

export const LIMITS = {
  /** request ids are integers in [0, this] */
  maxRequestId: Number.MAX_SAFE_INTEGER,
  /** model ids, backend names */
  maxIdLength: 64,
  /** a model's URL */
  maxUrlLength: 2048,
  /** session ids (the worker makes UUIDs: 36 characters) */
  maxSessionIdLength: 64,
  /** input/output names */
  maxNameLength: 256,
  /** runs of one popup benchmark */
  maxBenchmarkRuns: 200,
  /** feeds in one run */
  maxFeeds: 64,
  /** tensor rank */
  maxRank: 8,
  /** one dimension */
  maxDim: 2 ** 30,
  /** bytes of one tensor's data (and of the buffer under it) */
  maxTensorBytes: 32 * 1024 * 1024,
  /** bytes of all feeds of one run together */
  maxFeedsBytes: 48 * 1024 * 1024,
  /** open sessions per origin */
  maxSessionsPerOrigin: 16,
  /** error messages the worker sends back are cut to this length */
  maxMessageLength: 2000,
} as const;
