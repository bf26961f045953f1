// Shard 1 of 2 of the ONNX node tests on the reference backend (two files so vitest runs them in parallel).
import { conformanceShard } from './shard';

conformanceShard('reference', 0, 2);
