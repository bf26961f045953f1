// Re-runs the node-test suite on a backend and rewrites its expectations (npm run conformance:update).
// Usage: tsx tests/conformance/update.ts [backend]   (GPU backends run with --no-fallback)

import { checkFolder } from '../../cli/conformance';
import { prepareBackend } from '../../cli/node-gpu';
import { isBackendName } from '../../runtime/backends';
import { readExpectations, suiteFolders, writeExpectations, type Expectation } from './suite';

const backend = process.argv[2] ?? 'reference';
if (!isBackendName(backend)) throw new Error(`unknown backend ${backend}`);
await prepareBackend(backend);
// The GPU backends are held to the stricter bar: every node not folded away runs as a kernel.
const options = { noFallback: backend !== 'reference' };
let all;
try {
  all = readExpectations();
} catch {
  all = {};
}
const table: Record<string, Expectation> = {};
let passed = 0;
for (const dir of suiteFolders()) {
  const r = await checkFolder(dir, backend, options);
  table[r.name] = r.pass ? { status: 'pass' } : { status: 'fail', reason: r.reason ?? 'unknown' };
  if (r.pass) passed++;
}
all[backend] = table;
writeExpectations(all);
const n = Object.keys(table).length;
console.log(`${backend}: ${passed} of ${n} pass (${((100 * passed) / n).toFixed(1)}%)`);
process.exit(0); // a loaded GPU device would keep the process alive
