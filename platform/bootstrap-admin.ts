/**
 * First-start admin: on an empty user table, creates the admin account so a fresh install can be
 * logged into. The password is ADMIN_PASSWORD or, when unset, a generated one that this function
 * returns for the caller to show exactly once; only its scrypt hash is stored. Does nothing once
 * any user exists, so changing ADMIN_PASSWORD later never resets a password.
 */
import type { Logger } from './logger.js';
import { generateSecret, hashSecret, PASSWORD_COST } from './security/secret-hash.js';
import type { RegistryStore } from './store/types.js';

export interface EnsureAdminOptions {
  readonly registry: Pick<RegistryStore, 'countUsers' | 'saveUser'>;
  readonly username: string;
  /** The admin's password (ADMIN_PASSWORD); generated when undefined. */
  readonly password?: string | undefined;
  readonly logger: Logger;
  /** Epoch ms; injectable for tests. */
  readonly clock?: () => number;
}

export interface EnsureAdminResult {
  /** True when the admin was created now. */
  readonly created: boolean;
  /** The generated password (only when created without a configured one); the caller shows it once. */
  readonly generatedPassword?: string;
}

/** Bytes of entropy of a generated password (18 bytes = 144 bits, 24 base64url characters). */
const GENERATED_PASSWORD_BYTES = 18;

/** Creates the first admin if no user exists. */
export async function ensureAdminUser(options: EnsureAdminOptions): Promise<EnsureAdminResult> {
  if ((await options.registry.countUsers()) > 0) return { created: false };
  const generated = options.password === undefined;
  const password = options.password ?? generateSecret(GENERATED_PASSWORD_BYTES);
  const passwordHash = await hashSecret(password, PASSWORD_COST);
  await options.registry.saveUser({
    username: options.username,
    passwordHash,
    role: 'admin',
    createdAt: (options.clock ?? Date.now)(),
  });
  options.logger.info(
    { username: options.username, passwordSource: generated ? 'generated' : 'ADMIN_PASSWORD' },
    'created the first admin user',
  );
  return generated ? { created: true, generatedPassword: password } : { created: true };
}
