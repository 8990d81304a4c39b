/**
 * SUBSCRIBE authorization (MQTT 3.1.1 §3.8.4 Response, §3.9.3 SUBACK Payload).
 *
 * A refused topic filter gets return code 0x80 "Failure" in the SUBACK while the other filters of
 * the same SUBSCRIBE are granted, and the connection stays open: Aedes writes 0x80 when this
 * handler answers with no error and no subscription (lib/handlers/subscribe.js). Aedes also calls
 * it when it restores the subscriptions of a persistent session (§3.1.2.4), so a session resumed
 * by another identity gets nothing it may not read.
 */
import type { AedesOptions, Client } from 'aedes';
import type { Acl } from './acl.js';
import type { BrokerMetrics } from './broker-metrics.js';
import { type ClientIdentities, describeClient } from './client-identity.js';
import type { ThrottledWarnings } from './throttled-warnings.js';

type AuthorizeSubscribeHandler = NonNullable<AedesOptions['authorizeSubscribe']>;

export interface AuthorizeSubscribeOptions {
  readonly acl: Acl;
  readonly identities: ClientIdentities;
  readonly metrics: BrokerMetrics;
  readonly warnings: ThrottledWarnings;
  /** For failures of the handler itself, which must never reach Aedes as an error. */
  readonly onError: (error: unknown, client: Client | null) => void;
}

/** Builds the Aedes `authorizeSubscribe` handler. It never throws and never disconnects. */
export function createAuthorizeSubscribe(options: AuthorizeSubscribeOptions): AuthorizeSubscribeHandler {
  const { acl, identities, metrics, warnings, onError } = options;

  return (client, subscription, callback) => {
    let allowed = false;
    try {
      const identity = identities.of(client);
      allowed = identity !== undefined && acl.canSubscribe(identity, subscription.topic);
      if (!allowed) {
        metrics.subscriptionDenied();
        warnings.warn(client, { ...describeClient(client, identity), filter: subscription.topic }, 'subscription refused');
      }
    } catch (error) {
      allowed = false;
      onError(error, client);
    }
    callback(null, allowed ? subscription : null);
  };
}
