/** Where Vault calls get their `X-Vault-Token`; `VaultAuthService` is the real one. */
export interface VaultTokenSource {
  /** The current token, logging in first when there is none. Throws `SecretsError` (Unavailable). */
  token(): Promise<string>;
  /**
   * Vault answered 403 to `rejected`: re-authenticate if this auth method can.
   * Resolves true when a fresh token is ready to retry with, false when not
   * (a static token cannot be replaced).
   */
  recoverFromDenied(rejected: string): Promise<boolean>;
}
