// The compiler version stamped into built code (runtime/compiled.ts COMPILER_VERSION): a hash of
// every source of the engine (runtime/, the WebAssembly kernels' sources included) and the
// package version, so compiled models from any other build of the compiler are not reused.

import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'build' || e.name === 'node_modules' ? [] : files(path);
    return /\.(ts|json)$/.test(e.name) ? [path] : [];
  });
}

export function compilerVersion(root: string): string {
  const h = createHash('sha256');
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  h.update(pkg.version);
  for (const f of files(join(root, 'runtime')).sort()) h.update(relative(root, f)).update('\0').update(readFileSync(f)).update('\0');
  return `${pkg.version}+${h.digest('hex').slice(0, 16)}`;
}
