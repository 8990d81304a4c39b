/**
 * `--fault` on the command line: `<siteId>=<type>[,<key>=<value>…]`, e.g.
 * `KG-WQ-01=stuck,metrics=ph+do,at=10m,for=1h` or `KG-CAM-03=offline,at=2m,for=5m`. `at` and
 * `for` place the fault in simulated time from the start of the run; other keys are the fault's
 * parameters (docs/simulators.md lists them); lists are joined with `+`.
 */
import { siteIdSchema } from '../../common/sites.js';
import { AppError } from '../../platform/errors.js';
import { parseDuration } from '../clock/duration.js';
import { type FaultSpec, faultSpecSchema } from './fault-spec.js';

/** A fault asked for on the command line. */
export interface FaultRequest {
  readonly siteId: string;
  readonly fault: FaultSpec;
  /** Offset from the start of the run, simulated ms. */
  readonly atMs: number;
  /** Length, simulated ms; undefined = until the end. */
  readonly forMs: number | undefined;
}

/** Parameters that take a `+`-separated list. */
const LIST_KEYS = new Set(['metrics', 'payloads', 'cleanAt']);

function coerce(key: string, raw: string): unknown {
  if (LIST_KEYS.has(key)) return raw.split('+').filter((item) => item.length > 0);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  return raw;
}

function duration(key: string, raw: string, spec: string): number {
  const ms = parseDuration(raw);
  if (ms === undefined) throw new AppError('bad_request', `--fault ${spec}: ${key}=${raw} is not a duration (e.g. 90s, 15m, 2h)`);
  return ms;
}

/** Parses one `--fault` value; throws `bad_request` naming the problem. */
export function parseFaultOption(spec: string): FaultRequest {
  const equals = spec.indexOf('=');
  if (equals <= 0)
    throw new AppError('bad_request', `--fault ${spec}: expected <siteId>=<type>[,key=value…], e.g. KG-WQ-01=stuck,metrics=ph`);
  const siteId = spec.slice(0, equals).trim();
  if (!siteIdSchema.safeParse(siteId).success) throw new AppError('bad_request', `--fault ${spec}: "${siteId}" is not a site id`);
  const [type, ...pairs] = spec
    .slice(equals + 1)
    .split(',')
    .map((part) => part.trim());
  const input: Record<string, unknown> = { type };
  let atMs = 0;
  let forMs: number | undefined;
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new AppError('bad_request', `--fault ${spec}: "${pair}" is not key=value`);
    const key = pair.slice(0, at);
    const value = pair.slice(at + 1);
    if (key === 'at') atMs = duration(key, value, spec);
    else if (key === 'for') forMs = duration(key, value, spec);
    else input[key] = coerce(key, value);
  }
  const parsed = faultSpecSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'type'}: ${issue.message}`);
    throw new AppError('bad_request', `--fault ${spec}: ${problems.join('; ')}`);
  }
  return { siteId, fault: parsed.data, atMs, forMs };
}
