// What the demo page reads at start (config.json) and leaves behind for demo/start.ts (window.kilnDemo).

import type { Face } from '../blazeface';

export interface DemoConfig {
  /** the photo's URL, relative to the page */
  readonly image: string;
  readonly attribution: string;
}

export interface DemoResult {
  /** in image pixels */
  readonly faces: readonly Face[];
  readonly createMs: number;
  readonly runMs: number;
  readonly backend: string;
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** set when the demo failed */
  readonly error?: string;
}
