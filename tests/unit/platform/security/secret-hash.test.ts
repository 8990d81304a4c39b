import { describe, expect, it } from 'vitest';
import { generateSecret, hashSecret, TOKEN_COST, verifySecret } from '../../../../platform/security/secret-hash.js';

describe('secret hashing', () => {
  it('verifies the right secret and refuses a wrong one', async () => {
    const secret = generateSecret();
    const hash = await hashSecret(secret, TOKEN_COST);
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$[\w-]+\$[\w-]+$/);
    expect(hash).not.toContain(secret);
    await expect(verifySecret(secret, hash)).resolves.toBe(true);
    await expect(verifySecret(`${secret}x`, hash)).resolves.toBe(false);
  });

  it('salts every hash', async () => {
    expect(await hashSecret('same', TOKEN_COST)).not.toBe(await hashSecret('same', TOKEN_COST));
  });

  it.each(['', 'plain', 'scrypt$x$8$1$a$b', 'bcrypt$1$2$3$4$5'])('returns false for the malformed hash %j', async (encoded) => {
    await expect(verifySecret('secret', encoded)).resolves.toBe(false);
  });

  it('generates 256-bit URL-safe secrets', () => {
    expect(generateSecret()).toMatch(/^[\w-]{43}$/);
  });
});
