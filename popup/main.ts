// The popup: the built-in models (name, task, size, licence) with each one's status from the
// service worker (bundled, or how many sessions pages have open). Plain DOM, no framework.

import { CATALOG, type ModelManifest } from '../models/catalog';
import type { ModelStatus } from '../protocol';
import { formatSize, statusLabel } from './format';
import { fetchModelStatus } from './status-client';

const list = document.getElementById('models') as HTMLUListElement;
const workerStatus = document.getElementById('worker-status') as HTMLParagraphElement;
const refreshButton = document.getElementById('refresh') as HTMLButtonElement;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

function meta(label: string, value: string, className = ''): Node[] {
  return [el('dt', { textContent: label }), el('dd', { textContent: value, className })];
}

/** One model's card; the badge is filled in by showStatus. */
function modelItem(m: ModelManifest): HTMLLIElement {
  const badge = el('span', { className: 'badge', textContent: '…' });
  badge.dataset.unknown = '';
  badge.dataset.model = m.id;
  const item = el(
    'li',
    { className: 'model', tabIndex: 0, title: m.description },
    el('div', { className: 'model-head' }, el('h3', { className: 'model-name', textContent: m.name }), badge),
    el('dl', { className: 'model-meta' }, ...meta('id', m.id, 'model-id'), ...meta('task', m.task), ...meta('size', formatSize(m.bytes), 'model-size'), ...meta('licence', m.license)),
  );
  item.dataset.model = m.id;
  item.setAttribute('aria-label', `${m.name}: ${m.task}, ${formatSize(m.bytes)}, ${m.license}`);
  return item;
}

function showStatus(statuses: readonly ModelStatus[] | null): void {
  for (const badge of list.querySelectorAll<HTMLSpanElement>('.badge')) {
    const status = statuses?.find((s) => s.id === badge.dataset.model);
    if (statuses === null) {
      badge.textContent = 'status unknown';
      badge.dataset.unknown = '';
      delete badge.dataset.sessions;
      continue;
    }
    delete badge.dataset.unknown;
    badge.dataset.sessions = String(status?.sessions ?? 0);
    badge.textContent = statusLabel(status);
    badge.title = status?.loaded ? 'loaded in the service worker' : 'bundled with the extension';
  }
}

async function refresh(): Promise<void> {
  refreshButton.disabled = true;
  try {
    const statuses = await fetchModelStatus();
    showStatus(statuses);
    const open = statuses.reduce((n, s) => n + s.sessions, 0);
    workerStatus.textContent = open === 0 ? 'No page is using a model right now.' : `${open} session${open === 1 ? '' : 's'} open in pages.`;
  } catch (e) {
    showStatus(null);
    workerStatus.textContent = `Could not reach the service worker: ${e instanceof Error ? e.message : String(e)}`;
  } finally {
    refreshButton.disabled = false;
  }
}

list.replaceChildren(...CATALOG.map(modelItem));
refreshButton.addEventListener('click', () => void refresh());
void refresh();
