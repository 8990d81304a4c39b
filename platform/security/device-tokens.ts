/**
 * Issuing device tokens (the MQTT password of username = site id). Shared by the admin REST route
 * and the `device:token` CLI so both behave the same: a fresh 256-bit token, stored only as a
 * scrypt hash, returned once to the caller. Issuing again rotates the token.
 */
import type { DeviceTokenResponse } from '../../common/api.js';
import type { RegistryStore } from '../store/types.js';
import { generateSecret, hashSecret, TOKEN_COST } from './secret-hash.js';

/** Creates or rotates the device token of `siteId`; the caller must check the site exists. */
export async function issueDeviceToken(
  registry: Pick<RegistryStore, 'saveDeviceCredential'>,
  siteId: string,
  nowMs: number,
): Promise<DeviceTokenResponse> {
  const token = generateSecret();
  const tokenHash = await hashSecret(token, TOKEN_COST);
  await registry.saveDeviceCredential({ siteId, tokenHash, issuedAt: nowMs });
  return { siteId, token, issuedAt: nowMs };
}
