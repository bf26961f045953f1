// The validators: the one place where untrusted messages become typed requests. The worker's
// router calls parsePageRequest / parsePopupRequest on every message before anything else.

import { z } from './zod';
import { isErrorName, type ErrorName, type Problem } from './errors';
import { LIMITS } from './limits';
import { modelUrlProblem, SHA256_HEX } from './model-ref';
import type { PageRequest, PopupRequest, PromptRequest } from './messages';
import { tensorProblem, type WireTensor } from './tensor';

const requestId = z.number().int().min(0).max(LIMITS.maxRequestId);
const modelId = z.string().min(1).max(LIMITS.maxIdLength).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a model id of letters, digits, . _ -');

const modelUrl = z.string().min(1).max(LIMITS.maxUrlLength).superRefine((s, ctx) => {
  const problem = modelUrlProblem(s);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});
const sha256Hex = z.string().regex(SHA256_HEX, 'expected a sha256 of 64 hex digits').transform((s) => s.toLowerCase());
const modelRef = z.union([modelId, z.object({ url: modelUrl, sha256: sha256Hex.optional() }).strict()]);
const backendName = z.string().min(1).max(LIMITS.maxIdLength);
const sessionId = z.string().min(1).max(LIMITS.maxSessionIdLength).regex(/^[A-Za-z0-9-]+$/, 'expected a session id');
const feedName = z.string().min(1).max(LIMITS.maxNameLength);

/** Attaches a DOMException name to a zod issue, so that parse failures keep their meaning. */
function issue(ctx: z.RefinementCtx, problem: Problem, path: PropertyKey[]): void {
  ctx.addIssue({ code: 'custom', message: problem.message, params: { domName: problem.name }, path });
}

const feeds = z
  .custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), { message: 'expected feeds as an object {name: tensor}' })
  .superRefine((obj, ctx) => {
    const names = Object.keys(obj);
    if (names.length === 0) return issue(ctx, { name: 'DataError', message: 'feeds must name at least one input' }, []);
    if (names.length > LIMITS.maxFeeds) return issue(ctx, { name: 'DataError', message: `${names.length} feeds, over the limit of ${LIMITS.maxFeeds}` }, []);
    let total = 0;
    for (const name of names) {
      if (!feedName.safeParse(name).success) return issue(ctx, { name: 'DataError', message: `feed names must be 1 to ${LIMITS.maxNameLength} characters` }, [name.slice(0, 64)]);
      const problem = tensorProblem(name, obj[name]);
      if (problem) return issue(ctx, problem, [name]);
      total += (obj[name] as WireTensor).data.byteLength;
    }
    if (total > LIMITS.maxFeedsBytes) {
      issue(ctx, { name: 'QuotaExceededError', message: `feeds total ${total} bytes, over the limit of ${LIMITS.maxFeedsBytes} bytes per run` }, []);
    }
  })
  .transform((obj) => obj as Record<string, WireTensor>);

const pageRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('availability'), id: requestId, model: modelRef }),
  z.object({ kind: z.literal('create'), id: requestId, model: modelRef, backend: backendName }),
  z.object({ kind: z.literal('run'), id: requestId, session: sessionId, feeds }),
  z.object({ kind: z.literal('destroy'), id: requestId, session: sessionId }),
  z.object({ kind: z.literal('cancel'), id: requestId, target: requestId }),
  z.object({ kind: z.literal('lane'), id: requestId }),
]);

const popupRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('models.status'), id: requestId }),
  z.object({ kind: z.literal('models.install'), id: requestId, url: modelUrl, sha256: sha256Hex.optional() }),
  z.object({ kind: z.literal('models.cancel'), id: requestId, url: modelUrl, sha256: sha256Hex.optional() }),
  z.object({ kind: z.literal('models.delete'), id: requestId, model: modelId }),
  z.object({ kind: z.literal('models.recompile'), id: requestId, model: modelId }),
  z.object({ kind: z.literal('models.prepare'), id: requestId, model: modelId }),
  z.object({ kind: z.literal('models.benchmark'), id: requestId, model: modelId, runs: z.number().int().min(1).max(LIMITS.maxBenchmarkRuns).optional() }),
]);

const promptId = z.string().min(1).max(LIMITS.maxSessionIdLength).regex(/^[A-Za-z0-9-]+$/, 'expected a prompt id');
const promptRequest = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('prompt.get'), id: requestId, prompt: promptId }),
  z.object({ kind: z.literal('prompt.answer'), id: requestId, prompt: promptId, answer: z.enum(['once', 'always', 'deny']) }),
]);

export type Parsed<T> = { ok: true; request: T } | { ok: false; id: number | null; problem: Problem };

export function parsePageRequest(raw: unknown): Parsed<PageRequest> {
  return parseWith(pageRequest, raw, 'page request');
}

export function parsePopupRequest(raw: unknown): Parsed<PopupRequest> {
  return parseWith(popupRequest, raw, 'popup request');
}

export function parsePromptRequest(raw: unknown): Parsed<PromptRequest> {
  return parseWith(promptRequest, raw, 'prompt request');
}

function parseWith<T>(schema: z.ZodType<T>, raw: unknown, what: string): Parsed<T> {
  const r = schema.safeParse(raw);
  if (r.success) return { ok: true, request: r.data };
  const first = r.error.issues[0];
  const named = (first as { params?: { domName?: unknown } }).params?.domName;
  const name: ErrorName = isErrorName(named) ? named : 'DataError';
  const kind = typeof raw === 'object' && raw !== null && typeof (raw as { kind?: unknown }).kind === 'string' ? ` '${String((raw as { kind: string }).kind).slice(0, 32)}'` : '';
  const at = first.path.length > 0 ? ` at ${first.path.map(String).join('.')}` : '';
  const message = named ? first.message : `malformed ${what}${kind}${at}: ${first.message}`;
  return { ok: false, id: salvageId(raw), problem: { name, message } };
}

/** The request id of a message that failed validation, when it has a usable one. */
function salvageId(raw: unknown): number | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const r = requestId.safeParse((raw as { id?: unknown }).id);
  return r.success ? r.data : null;
}
