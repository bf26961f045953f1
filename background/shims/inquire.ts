// Stands in for '@protobufjs/inquire' in the extension build (vite.config.ts aliases it here).
// The real module calls eval("require") inside try/catch to find Node modules; under the MV3 CSP
// that eval is a CSP violation even when caught. protobufjs only uses it for optional Node
// modules (buffer, long), so "not found" is the right answer in a browser.

export default function inquire(_moduleName: string): null {
  return null;
}
