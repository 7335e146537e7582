import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DomainError } from '../domain/index.js';

const VERSION = 'v1';

/**
 * Encrypts secrets the registry must be able to read back (upstream credentials of remote
 * repositories), unlike passwords and tokens, which are only ever hashed. AES-256-GCM with a
 * random 96-bit nonce per secret; the sealed form names the key it was sealed with, so a wrong or
 * rotated key is reported as such rather than as garbage.
 */
export class SecretBox {
  private readonly keyId: string;

  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the secret key must be 32 bytes');
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  seal(plain: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, this.keyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join('.');
  }

  /** `context` must be what it was sealed with (the repository name): a sealed value moved to another row does not open. */
  open(sealed: string, context: string): string {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== VERSION || !body) throw new DomainError('INTERNAL', 'a stored secret is not in a known form');
    if (keyId !== this.keyId) throw new DomainError('INTERNAL', `a stored secret was sealed with another key (${keyId}); set STRATA_SECRET_KEY to that key`);
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    try {
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new DomainError('INTERNAL', 'a stored secret does not open with this key and context');
    }
  }
}

/**
 * The key: STRATA_SECRET_KEY (64 hex characters or 32 bytes in base64), which every node of a
 * distributed deployment must share, or else a key generated once into the data folder (0600).
 */
export async function secretBoxKey(dataDir: string, configured: string | undefined): Promise<Buffer> {
  if (configured) {
    const key = /^[0-9a-f]{64}$/i.test(configured) ? Buffer.from(configured, 'hex') : Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new Error('STRATA_SECRET_KEY must be 32 bytes: 64 hex characters or base64');
    return key;
  }
  const file = join(dataDir, 'secret-key');
  if (existsSync(file)) return Buffer.from((await readFile(file, 'utf8')).trim(), 'hex');
  const key = randomBytes(32);
  await writeFile(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  return key;
}
