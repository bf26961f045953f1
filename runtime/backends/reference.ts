// The reference backend: the plain-TypeScript executor behind the backend interface.

import { ReferenceExecutor } from '../reference/executor';
import type { Backend } from './index';

export const referenceBackend: Backend = {
  name: 'reference',
  async prepare(model) {
    const exec = new ReferenceExecutor(model);
    return { run: async (feeds) => exec.run(feeds) };
  },
  async fingerprint() {
    return 'cpu';
  },
};
