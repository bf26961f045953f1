// The one-time handover of the relay's MessagePort to the MAIN-world page API. Both content
// scripts run at document_start, before any page script, in either order; whichever runs second
// completes the handshake synchronously, so it is over before the page can run a line. The page
// API takes the first port only and stops listening; the relay stops offering once it is taken.
// docs/extension.md gives the full argument.

/** MAIN → ISOLATED: "the page API is listening" (a plain Event). */
export const PAGE_API_READY = 'kiln:page-api-ready';
/** ISOLATED → MAIN: a cancelable MessageEvent carrying the port; the page API cancels it to say "taken". */
export const RELAY_PORT = 'kiln:relay-port';
