// Kiln's WebGPU backend as a benchmark engine: InferenceSession with backend 'webgpu' on the Dawn
// GPU that cli/node-gpu.ts loads ($DAWN_NODE on the lent machine, the `webgpu` package elsewhere).

import { InferenceSession } from '../../runtime/session';
import { tensor, type Tensor } from '../../runtime/tensor';
import type { Engine, Feed } from './engine';

/** A session may grow a release call; until it has one, the bench destroys its buffers itself. */
type Releasable = { release?: () => void | Promise<void> };

export function kilnEngine(forceRelease: () => void): Engine {
  let session: InferenceSession | undefined;
  let feeds: Record<string, Tensor> = {};
  let shapes = new Map<string, readonly number[]>();
  const first = (out: Record<string, Tensor>): Float32Array => {
    const t = out[session!.outputs[0].name];
    return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data as ArrayLike<number>);
  };
  return {
    key: 'kiln',
    label: 'Kiln WebGPU',
    async create(bytes, feed: Feed) {
      session = await InferenceSession.create(bytes, { backend: 'webgpu' });
      feeds = { [feed.name]: tensor('float32', feed.dims, feed.data) };
      shapes = new Map([[feed.name, feed.dims]]);
    },
    async run() {
      return first(await session!.run(feeds));
    },
    async profiledRun() {
      await session!.run(feeds, { profile: true });
      return session!.lastGpuMs;
    },
    async details() {
      const r = await session!.planReport(shapes);
      if (!r) return {};
      const ops = new Map<string, number>();
      for (const f of r.fallbacks) ops.set(f.op, (ops.get(f.op) ?? 0) + 1);
      return {
        dispatches: r.dispatches,
        pipelines: r.pipelines,
        fallbacks: r.fallbacks.length,
        fallback_ops: Object.fromEntries(ops),
        plan_bytes: r.bytes,
      };
    },
    async release() {
      const s = session as (InferenceSession & Releasable) | undefined;
      if (s?.release) await s.release();
      forceRelease();
      session = undefined;
    },
  };
}
