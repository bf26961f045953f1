// Two vitest projects: 'unit' (Node: engine, protocol, worker logic, CLI; fast, parallel) and
// 'e2e' (the built extension in headless Chromium; needs `npm run build` first; serial, long
// timeouts). `vitest run --project unit` / `npm run test:e2e`.

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['tests/**/*.test.ts', '{runtime,protocol,background,content,models,cli}/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'e2e/**'],
          // GPU tests run on SwiftShader (a CPU emulation) and the CLI tests spawn processes:
          // seconds each on a 2-core machine, more when it is busy.
          testTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
          maxWorkers: 1,
          sequence: { concurrent: false },
        },
      },
    ],
  },
});
