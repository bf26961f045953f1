// zod, configured for the MV3 CSP before any schema exists: jitless, so it never tries
// `new Function` (which the extension CSP forbids and which would log a violation).

import { z } from 'zod';

z.config({ jitless: true });

export { z };
