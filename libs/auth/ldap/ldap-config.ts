// PLACEHOLDER (being implemented): LDAP configuration from the environment.
export interface LdapConfig {
  url: string;
}
export function loadLdapConfig(_env: Record<string, string | undefined>): LdapConfig | undefined {
  return undefined;
}
