// The part of pngjs that the demo's Node test uses (pngjs ships no types; @types/pngjs is not a
// dependency). Remove this file if @types/pngjs is ever added.

declare module 'pngjs' {
  export interface DecodedPng {
    width: number;
    height: number;
    /** RGBA, row-major */
    data: Buffer;
  }
  export const PNG: {
    sync: {
      read(buffer: Buffer): DecodedPng;
      write(png: DecodedPng): Buffer;
    };
  };
}
