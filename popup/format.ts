// Pure helpers for the popup's (and the grant prompt's) text: sizes, times, sources, sessions.

import type { ModelSource } from '../background/store/db';

/** 442005 → "432 KB", 2_500_000 → "2.4 MB", 3e9 → "2.79 GB" (binary units, as file managers show them). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GB`;
}

/** "" when no page uses the model, else "N open session(s)". */
export function sessionsLabel(sessions: number): string {
  return sessions === 0 ? '' : `${sessions} open session${sessions === 1 ? '' : 's'}`;
}

/** "just now", "5 min ago", "3 h ago", else the date. */
export function timeAgo(then: number, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - then) / 1000));
  if (s < 60) return 'just now';
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return new Date(then).toLocaleDateString();
}

/** "built in", the file's name, or the URL's host and file. */
export function sourceLabel(source: ModelSource): string {
  if (source.kind === 'catalog') return 'built in';
  if (source.kind === 'file') return `file ${source.detail}`;
  try {
    const url = new URL(source.detail);
    return `URL ${url.host}${url.pathname.length > 24 ? `/…/${url.pathname.split('/').pop()}` : url.pathname}`;
  } catch {
    return `URL ${source.detail}`;
  }
}

/** The first `n` items, then "+k more". */
export function shortList(items: readonly string[], n: number): string {
  if (items.length <= n) return items.join(', ');
  return `${items.slice(0, n).join(', ')} +${items.length - n} more`;
}
