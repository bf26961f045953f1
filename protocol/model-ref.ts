// The rules for a model reference that are not tied to a validator library, shared by the
// validators (schemas.ts), the popup's install form and the store: where a model may be
// downloaded from, and what a sha256 looks like.

/** A sha256 as 64 hex digits (either case: callers compare it lowercased). */
export const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

/** Where a page may have Kiln download a model from: https, or http on this machine (local servers). */
export function modelUrlProblem(raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'expected an absolute URL';
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) return `expected an https URL (or http on localhost), got ${url.protocol}`;
  if (url.username || url.password) return 'a model URL may not carry credentials';
  return undefined;
}
