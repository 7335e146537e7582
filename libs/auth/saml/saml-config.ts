// PLACEHOLDER (being implemented): SAML configuration from the environment.
export interface SamlConfig {
  entryPoint: string;
}
export function loadSamlConfig(_env: Record<string, string | undefined>): SamlConfig | undefined {
  return undefined;
}
