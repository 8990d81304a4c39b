/**
 * Password check with the same cost for unknown users and wrong passwords: an unknown username is
 * verified against a dummy hash of the same scrypt cost, so response time does not reveal which
 * usernames exist. A disabled account is refused like a wrong password.
 *
 * Before the first admin exists (split mode: web can answer before ingest's store does, and the
 * admin is created as soon as it answers) a login is `unavailable` (503), not a failure: counted as
 * one, an operator retrying during start-up would lock the admin account out.
 */
import type { UserInfo } from '../../../common/api.js';
import { AppError } from '../../../platform/errors.js';
import { generateSecret, hashSecret, PASSWORD_COST, verifySecret } from '../../../platform/security/secret-hash.js';
import type { RegistryStore } from '../../../platform/store/types.js';

export class CredentialChecker {
  private dummyHash: Promise<string> | undefined;

  constructor(private readonly registry: Pick<RegistryStore, 'findUser' | 'countUsers'>) {}

  /** Computes the dummy hash ahead of the first login (about one password hash of CPU). */
  async prepare(): Promise<void> {
    await this.dummy();
  }

  /**
   * The user when `password` is theirs and the account is enabled; undefined for an unknown user,
   * a wrong password or a disabled account alike (same answer, same cost).
   */
  async check(username: string, password: string): Promise<UserInfo | undefined> {
    const user = await this.registry.findUser(username);
    if (!user && (await this.registry.countUsers()) === 0) {
      throw new AppError('unavailable', 'The first admin account is being set up; try again in a few seconds');
    }
    const matches = await verifySecret(password, user?.passwordHash ?? (await this.dummy()));
    return user && matches && user.disabledAt === undefined ? { username: user.username, role: user.role } : undefined;
  }

  private dummy(): Promise<string> {
    this.dummyHash ??= hashSecret(generateSecret(), PASSWORD_COST);
    return this.dummyHash;
  }
}
