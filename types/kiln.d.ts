// The page API that the Kiln extension defines on every http(s) page: `window.kiln`.
// For page authors: add this file to your project (or `/// <reference path="kiln.d.ts" />`).
// Errors are DOMExceptions: NotFoundError (unknown model), NotSupportedError (unknown backend,
// unsupported operator), DataError (malformed feeds: dtype, shape, data length; corrupt model),
// QuotaExceededError (over a size bound or too many sessions), AbortError (signal aborted or
// session destroyed), InvalidStateError (destroyed session, extension gone), NotAllowedError
// (origin not served), OperationError (the engine failed).

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
    /** 'auto' (default: the best available) or a backend name; today 'reference' */
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

  interface Kiln {
    /** 'available' for built-in models, 'unavailable' for ids Kiln does not know. */
    availability(model: string): Promise<KilnAvailability>;
    /** Opens a session of a built-in model ('blazeface', 'ppocr-cls', …). */
    create(model: string, options?: KilnCreateOptions): Promise<KilnSession>;
  }

  interface Window {
    readonly kiln: Kiln;
  }

  // eslint-disable-next-line no-var
  var kiln: Kiln;
}
