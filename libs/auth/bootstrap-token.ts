import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { newTokenSecret } from './token-service.js';

/**
 * The bootstrap admin token: STRATA_ADMIN_TOKEN when set; otherwise the one in
 * `<data>/admin-token`, generated on first start with mode 0600. `announce` is called only when
 * a token was generated, with the file's location (never the token itself).
 */
export async function bootstrapAdminToken(dataDir: string, configured: string | undefined, announce: (file: string) => void): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = newTokenSecret();
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  announce(file);
  return secret;
}

/** The session signing secret: STRATA_JWT_SECRET, or one generated into `<data>/jwt-secret` (0600). */
export async function sessionSecret(dataDir: string, configured: string | undefined): Promise<string> {
  if (configured) return configured;
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const secret = randomBytes(48).toString('base64url');
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}
