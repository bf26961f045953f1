// The contract between the relay and the MAIN-world page API: the one-time handover of the relay's
// MessagePort, and the notices the relay posts on it beside the worker's replies.
//
// The handover: both content scripts run at document_start, before any page script, in either
// order; whichever runs second completes the handshake synchronously, so it is over before the page
// can run a line. The page API takes the first port only and stops listening; the relay stops
// offering once it is taken. docs/extension.md gives the full argument.

/** MAIN → ISOLATED: "the page API is listening" (a plain Event). */
export const PAGE_API_READY = 'kiln:page-api-ready';
/** ISOLATED → MAIN: a cancelable MessageEvent carrying the port; the page API cancels it to say "taken". */
export const RELAY_PORT = 'kiln:relay-port';

/**
 * ISOLATED → MAIN notices on the relay's port, beside the worker's replies: the fast lane's page
 * end (its MessagePort in `ports`), handed over for the page API to talk to the worker directly,
 * and the lane's loss when the worker stops (requests still unanswered on it go to the relay).
 */
export type RelayNotice = { readonly kind: 'relay.lane' } | { readonly kind: 'relay.lane-closed' };
