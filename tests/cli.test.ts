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

  it('runs the relaxed-SIMD build of the WebAssembly kernels where the engine has relaxed SIMD, with the same results', () => {
    const tests = ['test_conv_with_strides_padding', 'test_gemm_all_attributes', 'test_matmul_2d', 'test_convtranspose'].map((t) => join(SUITE_DIR, t));
    const relaxed = (...args: string[]) => spawnSync(process.execPath, ['--experimental-wasm-relaxed-simd', KILN, ...args], { encoding: 'utf8' });
    const model = join(SUITE_DIR, 'test_conv_with_strides_padding', 'model.onnx');
    // Node 20 runs relaxed SIMD only behind a flag; Chrome runs it by default (e2e/popup.e2e.test.ts)
    expect(kiln('info', model, '--backend', 'wasm').stdout).toContain('wasm kernels: the SIMD128 build');
    expect(relaxed('info', model, '--backend', 'wasm').stdout).toContain('wasm kernels: the relaxed-SIMD build');
    const r = relaxed('check', ...tests, '--backend', 'wasm', '--no-fallback');
    expect(r.stdout.trim().split('\n').at(-1), r.stdout + r.stderr).toBe(`${tests.length} passed, 0 failed`);
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
