/**
 * What a browser may send over socket.io, and who may send it. Every client→server event of the
 * contract (common/socket-events.ts `ClientToServerEvents`) has an entry here — the mapped type
 * makes a missing one a compile error — with the minimum role and the zod schema of its payload.
 * The socket gateway drops (and counts) any other event, an event from a role below its minimum,
 * a payload that fails its schema, and events beyond a per-socket rate.
 *
 * Rule: an event that changes shared state (not just what this socket receives) is `mutating` and
 * needs at least the operator role — checked by tests/unit/security/operators-socket-policy.test.ts.
 * Today the only event, `viewport`, narrows the caller's own live stream: every role may send it.
 */
import type { z } from 'zod';
import type { Role } from '../../../common/api.js';
import { type ClientToServerEvents, viewportSubscriptionSchema } from '../../../common/socket-events.js';

export interface ClientEventPolicy {
  /** Lowest role allowed to send the event. */
  readonly minimumRole: Role;
  /** Its payload (the first argument). */
  readonly schema: z.ZodType;
  /** True when it changes state other clients see (then `minimumRole` must be operator or admin). */
  readonly mutating: boolean;
}

export const CLIENT_EVENTS: { readonly [E in keyof ClientToServerEvents]: ClientEventPolicy } = {
  viewport: { minimumRole: 'viewer', schema: viewportSubscriptionSchema, mutating: false },
};

/** The policy of an incoming event name, or undefined for names outside the contract (own keys only). */
export function clientEventPolicy(event: unknown): ClientEventPolicy | undefined {
  if (typeof event !== 'string' || !Object.hasOwn(CLIENT_EVENTS, event)) return undefined;
  return CLIENT_EVENTS[event as keyof ClientToServerEvents];
}

/** Events per second one socket may send on average, and its burst. */
export interface EventRate {
  readonly perSecond: number;
  readonly burst: number;
}

/** A browser sends a viewport on pan/zoom (debounced): 10 per second with a burst of 30 is far above that. */
export const DEFAULT_CLIENT_EVENT_RATE: EventRate = { perSecond: 10, burst: 30 };

/** Token bucket of one socket's incoming events. */
export class EventBudget {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly rate: EventRate,
    private readonly clock: () => number,
  ) {
    this.tokens = rate.burst;
    this.updatedAt = clock();
  }

  /** True when one more event is allowed now (and spends it). */
  take(): boolean {
    const now = this.clock();
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.rate.perSecond);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
