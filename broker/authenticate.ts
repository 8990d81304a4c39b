/**
 * CONNECT authentication (MQTT 3.1.1 §3.1.3.4 User Name, §3.1.3.5 Password, §3.2.2.3 Connect
 * Return code).
 *
 * - Devices: username = site id, password = the device token issued by the platform; verified
 *   with scrypt against the hash from the credential source. Successful verifications are cached
 *   (see verified-token-cache.ts) so reconnect storms do not re-run scrypt; a rotated token is
 *   honoured at once because the cache entry is tied to the stored hash.
 * - Internal services: username from SERVICE_USERS, password = the shared service token, compared
 *   in constant time.
 *
 * Refusals answer CONNACK 5 "not authorized"; Aedes then closes the connection [MQTT-3.2.2-5].
 * If the credential source cannot be read, a device it already verified with the same token is let
 * in (so a short restart of ingest, which serves the credentials in split mode, does not lock out
 * devices already seen), and anyone else gets CONNACK 3 "server unavailable", a transient refusal
 * well-behaved clients retry.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AedesOptions, AuthErrorCode, AuthenticateError, Client } from 'aedes';
import { siteIdSchema } from '../common/sites.js';
import type { Logger } from '../platform/logger.js';
import { verifySecret } from '../platform/security/secret-hash.js';
import { serviceForUsername } from '../platform/security/service-credentials.js';
import type { RegistryStore } from '../platform/store/types.js';
import type { AuthFailureReason, BrokerMetrics } from './broker-metrics.js';
import type { ClientIdGuard } from './client-id-guard.js';
import { type ClientIdentities, type ClientIdentity, deviceIdentity, serviceIdentity } from './client-identity.js';
import { sha256, type VerifiedTokenCache } from './verified-token-cache.js';

type AuthenticateHandler = NonNullable<AedesOptions['authenticate']>;

/** CONNACK return codes used here (§3.2.2.3, Table 3.1). */
export const CONNACK = {
  /** 0x02: the client id is not allowed. */
  identifierRejected: 2,
  /** 0x03: the network connection was made but the MQTT service is unavailable. */
  serverUnavailable: 3,
  /** 0x05: the client is not authorized to connect. */
  notAuthorized: 5,
} as const;
type RefusalCode = (typeof CONNACK)[keyof typeof CONNACK];

export interface AuthenticateOptions {
  readonly credentials: Pick<RegistryStore, 'getDeviceCredential'>;
  /** SHA-256 of the internal services' shared token. */
  readonly serviceTokenDigest: Buffer;
  readonly cache: VerifiedTokenCache;
  readonly identities: ClientIdentities;
  readonly clientIds: ClientIdGuard;
  readonly metrics: BrokerMetrics;
  readonly logger: Logger;
}

type Outcome =
  | { readonly ok: true; readonly identity: ClientIdentity; readonly fromCacheWhileUnavailable?: true }
  | { readonly ok: false; readonly reason: AuthFailureReason; readonly returnCode: RefusalCode; readonly error?: unknown };

const refuse = (reason: AuthFailureReason, returnCode: RefusalCode = CONNACK.notAuthorized, error?: unknown): Outcome => ({
  ok: false,
  reason,
  returnCode,
  error,
});

/** The error shape Aedes turns into a CONNACK with `returnCode` (lib/handlers/connect.js). */
function connackError(returnCode: RefusalCode, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode: returnCode as AuthErrorCode });
}

const REFUSAL_MESSAGES: Readonly<Record<RefusalCode, string>> = {
  [CONNACK.identifierRejected]: 'identifier rejected',
  [CONNACK.serverUnavailable]: 'server unavailable',
  [CONNACK.notAuthorized]: 'not authorized',
};

function remoteAddress(client: Client): string | undefined {
  const conn: unknown = client.conn;
  return typeof conn === 'object' && conn !== null && 'remoteAddress' in conn && typeof conn.remoteAddress === 'string'
    ? conn.remoteAddress
    : undefined;
}

/** Builds the Aedes `authenticate` handler. It never throws and always answers exactly once. */
export function createAuthenticate(options: AuthenticateOptions): AuthenticateHandler {
  const { credentials, serviceTokenDigest, cache, identities, clientIds, metrics, logger } = options;

  async function verifyDevice(siteId: string, password: Buffer): Promise<Outcome> {
    const tokenDigest = sha256(password);
    let credential: Awaited<ReturnType<typeof credentials.getDeviceCredential>>;
    try {
      credential = await credentials.getDeviceCredential(siteId);
    } catch (error) {
      if (cache.matchesLastKnown(siteId, tokenDigest))
        return { ok: true, identity: deviceIdentity(siteId), fromCacheWhileUnavailable: true };
      return refuse('credentials_unavailable', CONNACK.serverUnavailable, error);
    }
    if (credential === undefined) {
      cache.forget(siteId);
      return refuse('unknown_site');
    }
    if (cache.matches(siteId, tokenDigest, credential.tokenHash)) return { ok: true, identity: deviceIdentity(siteId) };
    let valid: boolean;
    try {
      valid = await verifySecret(password.toString('utf8'), credential.tokenHash);
    } catch (error) {
      return refuse('credentials_unavailable', CONNACK.serverUnavailable, error);
    }
    if (!valid) return refuse('wrong_token');
    cache.remember(siteId, tokenDigest, credential.tokenHash);
    return { ok: true, identity: deviceIdentity(siteId) };
  }

  async function authenticate(client: Client, username: string | undefined, password: Buffer | undefined): Promise<Outcome> {
    // §3.1.2.8/§3.1.2.9: both flags are optional in the protocol, required by this platform.
    if (!username || !password || password.length === 0) return refuse('missing_credentials');
    const service = serviceForUsername(username);
    let outcome: Outcome;
    if (service !== undefined) {
      outcome = timingSafeEqual(sha256(password), serviceTokenDigest)
        ? { ok: true, identity: serviceIdentity(service) }
        : refuse('wrong_service_token');
    } else if (!siteIdSchema.safeParse(username).success) {
      outcome = refuse('invalid_username');
    } else {
      outcome = await verifyDevice(username, password);
    }
    if (outcome.ok && !clientIds.allows(client.id, outcome.identity)) return refuse('client_id_in_use', CONNACK.identifierRejected);
    return outcome;
  }

  function report(client: Client, username: string | undefined, outcome: Outcome): void {
    const fields = { clientId: client.id, username, remoteAddress: remoteAddress(client) };
    if (outcome.ok) {
      if (outcome.fromCacheWhileUnavailable) {
        logger.warn(fields, 'credential source unavailable: device admitted on its cached verification');
      } else {
        logger.debug(fields, 'client authenticated');
      }
      return;
    }
    metrics.authFailed(outcome.reason);
    if (outcome.returnCode === CONNACK.serverUnavailable) {
      logger.error({ ...fields, reason: outcome.reason, err: outcome.error }, 'connection refused: credentials cannot be checked');
    } else {
      logger.warn({ ...fields, reason: outcome.reason }, 'connection refused');
    }
  }

  return (client, username, password, done) => {
    authenticate(client, username, password)
      .catch((error: unknown): Outcome => refuse('credentials_unavailable', CONNACK.serverUnavailable, error))
      .then((outcome) => {
        report(client, username, outcome);
        if (outcome.ok) {
          identities.attach(client, outcome.identity);
          done(null, true);
        } else {
          done(connackError(outcome.returnCode, REFUSAL_MESSAGES[outcome.returnCode]), false);
        }
      })
      .catch((error: unknown) => logger.error({ err: error, clientId: client.id }, 'authenticate handler failed'));
  };
}
