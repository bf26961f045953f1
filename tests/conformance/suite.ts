// The ONNX node-test suite and its declarative expectations: status and reason per test and
// backend, in expectations.json. A test whose status drifts either way fails the suite.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testFolders } from '../../cli/conformance';

const here = dirname(fileURLToPath(import.meta.url));
/** The workplace's shared data folder (beside the repository): conformance suite, benchmark models. */
export const SHARED_DIR = process.env.KILN_SHARED_DIR ?? join(here, '../../../shared');
export const SUITE_DIR = join(SHARED_DIR, 'conformance/onnx-node');
export const EXPECTATIONS_FILE = join(here, 'expectations.json');

export type Expectation = { status: 'pass' } | { status: 'fail'; reason: string };
/** backend → test name → expectation */
export type Expectations = Record<string, Record<string, Expectation>>;

export function suiteFolders(): string[] {
  return testFolders([SUITE_DIR]);
}

export function readExpectations(): Expectations {
  return JSON.parse(readFileSync(EXPECTATIONS_FILE, 'utf8')) as Expectations;
}

/** Writes one test per line so that a change reads as a small diff. */
export function writeExpectations(e: Expectations): void {
  const backends = Object.keys(e).sort().map((b) => {
    const rows = Object.keys(e[b]).sort().map((t) => `    ${JSON.stringify(t)}: ${JSON.stringify(e[b][t])}`);
    return `  ${JSON.stringify(b)}: {\n${rows.join(',\n')}\n  }`;
  });
  writeFileSync(EXPECTATIONS_FILE, `{\n${backends.join(',\n')}\n}\n`);
}
