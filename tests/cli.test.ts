// The kiln CLI as a user runs it: check's per-folder lines and summary, run's TensorProto
// outputs, bench's closing JSON line, and usage errors.

import { describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeTensor } from '../runtime/onnx/tensor-proto';
import { compareTensors } from '../cli/compare';
import { SUITE_DIR } from './conformance/suite';

const KILN = join(__dirname, '../cli/kiln.mjs');
const kiln = (...args: string[]) => spawnSync(process.execPath, [KILN, ...args], { encoding: 'utf8' });

describe('kiln CLI', () => {
  it('check prints PASS/FAIL per folder and the summary line', () => {
    const r = kiln('check', join(SUITE_DIR, 'test_relu'), join(SUITE_DIR, 'test_adagrad'), '--backend', 'reference');
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('PASS test_relu');
    expect(lines[1]).toMatch(/^(PASS test_adagrad|FAIL test_adagrad: .+)$/);
    expect(lines).toHaveLength(3);
    expect(lines.at(-1)).toMatch(/^\d+ passed, \d+ failed$/);
  });

  it('check refuses an unknown backend', () => {
    const r = kiln('check', join(SUITE_DIR, 'test_relu'), '--backend', 'nope');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown backend 'nope': expected one of reference/);
  });

  it('run writes outputs as TensorProto files', () => {
    const out = mkdtempSync(join(tmpdir(), 'kiln-run-'));
    const dir = join(SUITE_DIR, 'test_relu');
    execFileSync(process.execPath, [KILN, 'run', join(dir, 'model.onnx'), '--input', `x=${join(dir, 'test_data_set_0/input_0.pb')}`, '--out', out]);
    const got = decodeTensor(readFileSync(join(out, 'output_0.pb')));
    const want = decodeTensor(readFileSync(join(dir, 'test_data_set_0/output_0.pb')));
    expect(compareTensors('reference', got, want)).toBeNull();
  });

  it('bench ends with one JSON line of timings', () => {
    const r = kiln('bench', join(SUITE_DIR, 'test_relu/model.onnx'), '--runs', '5');
    expect(r.status).toBe(0);
    const last = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    expect(Object.keys(last).sort()).toEqual(['create_ms', 'first_ms', 'min_ms', 'p50_ms']);
    expect(last.min_ms).toBeLessThanOrEqual(last.p50_ms);
  });

  it('reports a corrupt model clearly', () => {
    const r = kiln('info', join(SUITE_DIR, 'test_relu/test_data_set_0/input_0.pb'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not an ONNX model/);
  });
});
