// Runs jobs one at a time in arrival order (the engine is CPU-bound in the worker), so that a
// cancelled job that has not started yet is dropped without running.

import { abortError } from './errors';

export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  /** Runs `job` after the jobs before it, unless `signal` aborts first. */
  run<T>(job: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const result = this.tail.then(() => {
      if (signal?.aborted) throw abortError();
      return job();
    });
    this.tail = result.catch(() => undefined);
    return result;
  }
}
