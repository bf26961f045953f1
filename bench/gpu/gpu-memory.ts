// Peak GPU memory per engine, measured from the outside: wraps GPUDevice.prototype.createBuffer
// and GPUBuffer.prototype.destroy (both engines allocate through these), tagging each buffer with
// the engine that was being measured when it was made. Textures and query sets are not counted.

export interface MemoryFigures {
  /** highest sum of live buffer bytes the engine held at once */
  readonly peakBytes: number;
  /** bytes still live when the engine's measurement ended */
  readonly liveBytes: number;
  readonly buffers: number;
}

interface Account {
  live: number;
  peak: number;
  count: number;
  readonly buffers: Set<GPUBuffer>;
}

export class GpuMemory {
  private current: string | undefined;
  private readonly accounts = new Map<string, Account>();
  private readonly owner = new WeakMap<GPUBuffer, { readonly account: Account; readonly size: number }>();

  /** Wraps the prototypes once; call after Dawn's globals are installed. */
  install(): void {
    const self = this;
    const create = GPUDevice.prototype.createBuffer;
    GPUDevice.prototype.createBuffer = function (this: GPUDevice, desc: GPUBufferDescriptor): GPUBuffer {
      const buffer = create.call(this, desc);
      self.made(buffer, desc.size);
      return buffer;
    };
    const destroy = GPUBuffer.prototype.destroy;
    GPUBuffer.prototype.destroy = function (this: GPUBuffer): undefined {
      self.gone(this);
      return destroy.call(this);
    };
  }

  /** Starts counting for `engine` from zero. */
  begin(engine: string): void {
    this.current = engine;
    this.accounts.set(engine, { live: 0, peak: 0, count: 0, buffers: new Set() });
  }

  /** Stops attributing new buffers to `engine` and returns its figures so far. */
  end(engine: string): MemoryFigures {
    if (this.current === engine) this.current = undefined;
    const a = this.accounts.get(engine);
    return { peakBytes: a?.peak ?? 0, liveBytes: a?.live ?? 0, buffers: a?.count ?? 0 };
  }

  /** Destroys whatever `engine` still holds (for engines without a release call); returns the bytes. */
  destroyAll(engine: string): number {
    const a = this.accounts.get(engine);
    if (!a) return 0;
    const bytes = a.live;
    for (const b of [...a.buffers]) b.destroy();
    return bytes;
  }

  private made(buffer: GPUBuffer, size: number): void {
    if (!this.current) return;
    const a = this.accounts.get(this.current)!;
    this.owner.set(buffer, { account: a, size });
    a.buffers.add(buffer);
    a.live += size;
    a.count++;
    a.peak = Math.max(a.peak, a.live);
  }

  private gone(buffer: GPUBuffer): void {
    const o = this.owner.get(buffer);
    if (!o || !o.account.buffers.delete(buffer)) return;
    o.account.live -= o.size;
  }
}
