// Whether a WebGPU adapter is software, the CPU emulating a GPU (SwiftShader, WARP: the browser's
// or Dawn's fallback adapter). A module of its own so the popup can ask without loading the backend.

/** True for the software fallback adapter; older builds say so on the adapter itself, not its info. */
export function isSoftware(adapter: GPUAdapter): boolean {
  const a = adapter as GPUAdapter & { info?: { isFallbackAdapter?: boolean }; isFallbackAdapter?: boolean };
  return a.info?.isFallbackAdapter ?? a.isFallbackAdapter ?? false;
}
