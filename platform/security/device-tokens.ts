/**
 * Issuing device tokens (the MQTT password of username = site id). Shared by the admin REST route
 * and the `device:token` CLI so both behave the same: a fresh 256-bit token, stored only as a
 * scrypt hash, returned once to the caller. Issuing again rotates the token: the replaced one stays
 * valid for a grace period (DEVICE_TOKEN_GRACE_MINUTES) so a device can be reconfigured without
 * downtime, then the broker refuses it; a grace of 0 revokes it at once.
 */
import type { DeviceTokenResponse } from '../../common/api.js';
import type { RegistryStore } from '../store/types.js';
import { generateSecret, hashSecret, TOKEN_COST } from './secret-hash.js';

export interface IssueDeviceTokenOptions {
  /** How long the replaced token keeps working, ms; 0 or absent: it stops working at once. */
  readonly graceMs?: number;
}

/**
 * New device tokens for many sites at once (bulk registration): hashed in parallel on the thread
 * pool and stored in one transaction. Any token the sites had stops working at once.
 */
export async function issueDeviceTokens(
  registry: Pick<RegistryStore, 'saveDeviceCredentials'>,
  siteIds: readonly string[],
  nowMs: number,
): Promise<DeviceTokenResponse[]> {
  const issued = await Promise.all(
    siteIds.map(async (siteId) => {
      const token = generateSecret();
      return { siteId, token, tokenHash: await hashSecret(token, TOKEN_COST) };
    }),
  );
  await registry.saveDeviceCredentials(issued.map(({ siteId, tokenHash }) => ({ siteId, tokenHash, issuedAt: nowMs })));
  return issued.map(({ siteId, token }) => ({ siteId, token, issuedAt: nowMs }));
}

/** Creates or rotates the device token of `siteId`; the caller must check the site exists. */
export async function issueDeviceToken(
  registry: Pick<RegistryStore, 'saveDeviceCredential'>,
  siteId: string,
  nowMs: number,
  options: IssueDeviceTokenOptions = {},
): Promise<DeviceTokenResponse> {
  const graceMs = options.graceMs ?? 0;
  if (!Number.isSafeInteger(graceMs) || graceMs < 0) throw new RangeError(`graceMs must be a non-negative integer, got ${graceMs}`);
  const token = generateSecret();
  const tokenHash = await hashSecret(token, TOKEN_COST);
  const keepPreviousUntil = graceMs > 0 ? nowMs + graceMs : undefined;
  await registry.saveDeviceCredential({ siteId, tokenHash, issuedAt: nowMs }, keepPreviousUntil === undefined ? {} : { keepPreviousUntil });
  return { siteId, token, issuedAt: nowMs, ...(keepPreviousUntil === undefined ? {} : { previousTokenValidUntil: keepPreviousUntil }) };
}
