// The page API that the Kiln extension defines on every http(s) page: `window.kiln`.
// For page authors: add this file to your project (or `/// <reference path="kiln.d.ts" />`).
// Errors are DOMExceptions: NotFoundError (unknown model), NotSupportedError (unknown backend,
// unsupported operator), DataError (malformed feeds: dtype, shape, data length; corrupt model),
// QuotaExceededError (over a size bound or too many sessions), AbortError (signal aborted or
// session destroyed), InvalidStateError (destroyed session, extension gone), NotAllowedError
// (origin not served, or the user did not allow the model), NetworkError (a model download
// failed), OperationError (the engine failed).

export {};

declare global {
  /** Tensor element types and the typed array each one travels in. */
  interface KilnTensorArrays {
    float32: Float32Array;
    float64: Float64Array;
    /** raw IEEE half bits */
    float16: Uint16Array;
    /** raw bfloat16 bits */
    bfloat16: Uint16Array;
    int8: Int8Array;
    uint8: Uint8Array;
    int16: Int16Array;
    uint16: Uint16Array;
    int32: Int32Array;
    uint32: Uint32Array;
    int64: BigInt64Array;
    uint64: BigUint64Array;
    /** 0 or 1 per element */
    bool: Uint8Array;
  }

  type KilnTensorType = keyof KilnTensorArrays;

  /** A tensor: `data.length` must equal the product of `dims`. */
  type KilnTensor = {
    [T in KilnTensorType]: { readonly type: T; readonly data: KilnTensorArrays[T]; readonly dims: readonly number[] };
  }[KilnTensorType];

  interface KilnTensorInfo {
    readonly name: string;
    /** null when the model does not declare it */
    readonly type: KilnTensorType | null;
    /** sizes, symbolic names (the caller chooses), null where unknown; null when the rank is unknown */
    readonly dims: readonly (number | string | null)[] | null;
  }

  type KilnAvailability = 'unavailable' | 'downloadable' | 'downloading' | 'available';

  interface KilnCreateOptions {
    /**
     * 'auto' (default): WebGPU on a GPU adapter, else the WebAssembly SIMD kernels, else WebGPU on a
     * software adapter, else the reference executor; or 'webgpu', 'wasm', 'reference'
     */
    backend?: string;
    signal?: AbortSignal;
    /** receives an EventTarget firing 'downloadprogress' ProgressEvents ({loaded, total} in bytes) */
    monitor?: (monitor: EventTarget) => void;
  }

  interface KilnRunOptions {
    signal?: AbortSignal;
  }

  interface KilnSession {
    readonly model: string;
    /** the backend in use ('auto' resolved) */
    readonly backend: string;
    readonly inputs: readonly KilnTensorInfo[];
    readonly outputs: readonly KilnTensorInfo[];
    /** Runs the model. Your arrays are copied, never detached; outputs are fresh arrays. */
    run(feeds: Readonly<Record<string, KilnTensor>>, options?: KilnRunOptions): Promise<Record<string, KilnTensor>>;
    /** Frees the session; runs in flight reject with AbortError, later calls with InvalidStateError. */
    destroy(): Promise<void>;
  }

  /**
   * A model: a built-in id ('blazeface', 'ppocr-cls', …), or an ONNX file at an https URL (http on
   * localhost), downloaded once into Kiln; with `sha256` (hex) the bytes must match it.
   */
  type KilnModel = string | { readonly url: string; readonly sha256?: string };

  interface Kiln {
    /** 'available' (built in, or installed), 'downloadable' (a URL not installed yet), 'unavailable' (an unknown id). */
    availability(model: KilnModel): Promise<KilnAvailability>;
    /**
     * Opens a session. The first time a site asks for a model, Kiln asks the user (allow once,
     * always, deny: NotAllowedError); a URL model then downloads, firing 'downloadprogress' on
     * the monitor. NetworkError when the download fails, DataError when its sha256 differs.
     */
    create(model: KilnModel, options?: KilnCreateOptions): Promise<KilnSession>;
  }

  interface Window {
    readonly kiln: Kiln;
  }

  // eslint-disable-next-line no-var
  var kiln: Kiln;
}
