// PLACEHOLDER (being implemented): password verification against an LDAP directory.
import type { ExternalIdentity, PasswordVerifier } from '../external-identity.js';
import type { LdapConfig } from './ldap-config.js';
export class LdapDirectory implements PasswordVerifier {
  constructor(readonly config: LdapConfig) {}
  async verify(_username: string, _password: string): Promise<ExternalIdentity | null> {
    return null;
  }
}
