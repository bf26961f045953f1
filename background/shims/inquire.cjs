// Stands in for '@protobufjs/inquire' in the extension build (vite.config.ts aliases it here).
// The real module calls eval("require") inside try/catch to find optional Node modules; under the
// MV3 CSP that eval is a CSP violation even when caught. In a browser "not found" is the answer.
// CommonJS, because protobufjs require()s it and calls the export directly.
module.exports = function inquire() {
  return null;
};
