// Where session descriptors outlive the worker: chrome.storage.session (cleared when the browser
// quits, readable only by the extension). Behind an interface so that Node tests use a Map.

export interface SessionRecord {
  readonly id: string;
  readonly origin: string;
  readonly model: string;
  readonly backend: string;
}

export interface SessionStore {
  loadAll(): Promise<SessionRecord[]>;
  put(record: SessionRecord): Promise<void>;
  remove(id: string): Promise<void>;
}

const PREFIX = 'kiln.session.';

export const chromeSessionStore: SessionStore = {
  async loadAll() {
    const all = await chrome.storage.session.get(null);
    return Object.entries(all)
      .filter(([key]) => key.startsWith(PREFIX))
      .map(([, value]) => value as SessionRecord);
  },
  put: (record) => chrome.storage.session.set({ [PREFIX + record.id]: record }),
  remove: (id) => chrome.storage.session.remove(PREFIX + id),
};

export function memorySessionStore(): SessionStore {
  const map = new Map<string, SessionRecord>();
  return {
    loadAll: async () => [...map.values()],
    put: async (r) => void map.set(r.id, r),
    remove: async (id) => void map.delete(id),
  };
}
