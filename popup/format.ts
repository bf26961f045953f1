// Pure helpers for the popup's text: byte sizes and the status of a model.

import type { ModelStatus } from '../protocol';

/** 442005 → "432 KB", 2_500_000 → "2.4 MB" (binary units, as file managers show them). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** "bundled" when no page uses the model, else "N open session(s)". */
export function statusLabel(status: Pick<ModelStatus, 'sessions'> | undefined): string {
  if (!status) return 'bundled';
  if (status.sessions === 0) return 'bundled';
  return `${status.sessions} open session${status.sessions === 1 ? '' : 's'}`;
}
