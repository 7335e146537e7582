// PLACEHOLDER (being implemented): OIDC configuration from the environment.
export interface OidcConfig {
  issuer: string;
}
export function loadOidcConfig(_env: Record<string, string | undefined>): OidcConfig | undefined {
  return undefined;
}
