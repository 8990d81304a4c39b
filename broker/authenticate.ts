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
 *
 * Hardening (docs/security.md):
 * - a disabled site's device is refused (CONNACK 5) until the site is enabled again;
 * - after a rotation the previous token is accepted until its grace ends, then refused
 *   (`token_expired`); the cache follows the same rule;
 * - beyond `maxDeviceConnections` open device connections, devices get CONNACK 3 (services are
 *   always admitted), checked before scrypt so a full broker spends nothing on new devices;
 * - every admitted device connection is recorded in {@link DeviceSessions} with the credential it
 *   proved, for disconnects on disable and at the end of a grace.
 */
import { timingSafeEqual } from 'node:crypto';
import type { AedesOptions, AuthErrorCode, AuthenticateError, Client } from 'aedes';
import { siteIdSchema } from '../common/sites.js';
import type { Logger } from '../platform/logger.js';
import { verifySecret } from '../platform/security/secret-hash.js';
import { serviceForUsername } from '../platform/security/service-credentials.js';
import type { DeviceCredential, RegistryStore } from '../platform/store/types.js';
import type { AuthFailureReason, BrokerMetrics } from './broker-metrics.js';
import type { ClientIdGuard } from './client-id-guard.js';
import { type ClientIdentities, type ClientIdentity, deviceIdentity, serviceIdentity } from './client-identity.js';
import type { DeviceProof, DeviceSessions } from './device-sessions.js';
import { acceptedHashes, sha256, type VerifiedTokenCache } from './verified-token-cache.js';

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
  /** Admitted device connections (cap, disconnects); an admitted device is added here. */
  readonly sessions: DeviceSessions;
  /** Open device connections admitted at most; beyond it CONNACK 3. */
  readonly maxDeviceConnections: number;
  /** Sites the broker's access poll last found disabled; consulted when the credential source cannot be read. */
  readonly access?: { isDisabled(siteId: string): boolean };
  /** Epoch ms (rotation grace). */
  readonly clock: () => number;
}

type Outcome =
  | {
      readonly ok: true;
      readonly identity: ClientIdentity;
      /** What a device proved; undefined for services. */
      readonly proof?: DeviceProof;
      readonly fromCacheWhileUnavailable?: true;
      /** The device used its previous token, accepted until this epoch ms. */
      readonly graceUntil?: number;
    }
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
  const { credentials, serviceTokenDigest, cache, identities, clientIds, metrics, logger, sessions, access, clock } = options;
  const full = () => sessions.count >= options.maxDeviceConnections;
  // Concurrent CONNECTs of one site (several connections, a device reconnecting in a loop) share
  // one registry lookup and one scrypt per token instead of queueing identical work.
  const lookups = new Map<string, Promise<DeviceCredential | undefined>>();
  const verifications = new Map<string, Promise<boolean>>();

  function lookup(siteId: string): Promise<DeviceCredential | undefined> {
    let pending = lookups.get(siteId);
    if (pending === undefined) {
      pending = credentials.getDeviceCredential(siteId).finally(() => lookups.delete(siteId));
      lookups.set(siteId, pending);
    }
    return pending;
  }

  function verify(token: string, tokenDigest: Buffer, tokenHash: string): Promise<boolean> {
    const key = `${tokenHash}\n${tokenDigest.toString('base64')}`;
    let pending = verifications.get(key);
    if (pending === undefined) {
      pending = verifySecret(token, tokenHash).finally(() => verifications.delete(key));
      verifications.set(key, pending);
    }
    return pending;
  }

  async function verifyDevice(siteId: string, password: Buffer): Promise<Outcome> {
    const tokenDigest = sha256(password);
    let credential: Awaited<ReturnType<typeof credentials.getDeviceCredential>>;
    try {
      credential = await lookup(siteId);
    } catch (error) {
      if (access?.isDisabled(siteId)) return refuse('site_disabled');
      const known = cache.lastKnown(siteId, tokenDigest, clock());
      if (known) {
        // The issue time is unknown here; 0 lets the next credential the access poll sees re-check it.
        return { ok: true, identity: deviceIdentity(siteId), proof: { ...known, issuedAt: 0 }, fromCacheWhileUnavailable: true };
      }
      return refuse('credentials_unavailable', CONNACK.serverUnavailable, error);
    }
    if (credential === undefined) {
      cache.forget(siteId);
      return refuse('unknown_site');
    }
    if (credential.siteDisabledAt !== undefined) return refuse('site_disabled');
    const accepted = acceptedHashes(credential, clock());
    const admitted = (match: { tokenHash: string; validUntil: number | undefined }): Outcome => ({
      ok: true,
      identity: deviceIdentity(siteId),
      proof: { tokenHash: match.tokenHash, issuedAt: credential.issuedAt, validUntil: match.validUntil },
      ...(match.validUntil === undefined ? {} : { graceUntil: match.validUntil }),
    });
    const cached = cache.matchesAny(siteId, tokenDigest, accepted);
    if (cached) return admitted(cached);
    const token = password.toString('utf8');
    try {
      for (const candidate of accepted) {
        if (await verify(token, tokenDigest, candidate.tokenHash)) {
          cache.remember(siteId, tokenDigest, candidate.tokenHash, candidate.validUntil);
          return admitted(candidate);
        }
      }
      // Worth an scrypt: "still on the rotated-away token" tells an operator what to fix.
      const { previousTokenHash } = credential;
      if (previousTokenHash !== undefined && accepted.length === 1 && (await verify(token, tokenDigest, previousTokenHash))) {
        return refuse('token_expired');
      }
    } catch (error) {
      return refuse('credentials_unavailable', CONNACK.serverUnavailable, error);
    }
    return refuse('wrong_token');
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
    } else if (full()) {
      outcome = refuse('too_many_connections', CONNACK.serverUnavailable);
    } else {
      outcome = await verifyDevice(username, password);
    }
    if (outcome.ok && !clientIds.allows(client.id, outcome.identity)) return refuse('client_id_in_use', CONNACK.identifierRejected);
    if (outcome.ok && outcome.identity.kind === 'device' && outcome.proof) {
      // Checked again after the awaits above: concurrent CONNECTs must not overshoot the cap.
      if (full()) return refuse('too_many_connections', CONNACK.serverUnavailable);
      sessions.add(client, outcome.identity.siteId, outcome.proof);
    }
    return outcome;
  }

  function report(client: Client, username: string | undefined, outcome: Outcome): void {
    const fields = { clientId: client.id, username, remoteAddress: remoteAddress(client) };
    if (outcome.ok) {
      if (outcome.fromCacheWhileUnavailable) {
        logger.warn(fields, 'credential source unavailable: device admitted on its cached verification');
      } else if (outcome.graceUntil !== undefined) {
        logger.warn(
          { ...fields, graceUntil: new Date(outcome.graceUntil).toISOString() },
          'device connected with its previous token; configure the new one before the grace ends',
        );
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
