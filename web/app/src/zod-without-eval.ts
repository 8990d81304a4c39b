/**
 * zod 4 compiles object parsers with `new Function` when it may, and probes for that once; under
 * the server's Content-Security-Policy (no 'unsafe-eval') the probe is refused and reported as a
 * `securitypolicyviolation`. The browser app parses few answers, so it runs zod without that JIT:
 * no probe, no violation (tests/integration/security/operators-browser.test.ts). Imported first by main.tsx.
 */
import { z } from 'zod';

z.config({ jitless: true });
