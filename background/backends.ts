// Backend names a page may ask for: the engine's backends plus 'auto' (the best one available).

import { BACKENDS, isBackendName, type BackendName } from '../runtime/backends';
import { KilnError } from './errors';

/** Best first; 'auto' takes the first. Faster backends go in front as they land. */
const PREFERENCE: readonly BackendName[] = ['reference'];

export function resolveBackend(requested: string): BackendName {
  if (requested === 'auto') return PREFERENCE[0];
  if (isBackendName(requested)) return requested;
  throw new KilnError('NotSupportedError', `unknown backend '${requested}': the supported backends are 'auto', ${BACKENDS.map((b) => `'${b}'`).join(', ')}`);
}
