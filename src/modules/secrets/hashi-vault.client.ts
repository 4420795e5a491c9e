// hashi-vault-js is an ES module; our CommonJS build loads it through Node's
// require(esm) (Node >= 20.19), which marks the namespace `__esModule`, so the
// default import that TypeScript emits as `__importDefault(require(...)).default`
// is the class. Jest (run with --experimental-vm-modules) resolves it the same way.
import Vault from 'hashi-vault-js';
import type { VaultConfig } from '../../config/app-config';

/** The part of hashi-vault-js we use. Call it only through `vaultSafeCall`. */
export interface VaultAuthApi {
  loginWithAppRole(roleId: string, secretId: string): PromiseLike<unknown> | unknown;
  lookupSelfToken(token: string): PromiseLike<unknown>;
  renewSelfToken(token: string): PromiseLike<unknown>;
}

export function createVaultAuthApi(config: VaultConfig): VaultAuthApi {
  // proxy: false keeps axios from routing Vault traffic (and the token) through an HTTP(S)_PROXY.
  const vault = new Vault({ baseUrl: `${config.addr}/v1`, timeout: config.timeoutMs, proxy: false });
  return {
    loginWithAppRole: (roleId, secretId) => vault.loginWithAppRole(roleId, secretId),
    lookupSelfToken: (token) => vault.lookupSelfToken(token),
    // An undefined increment is left out of the JSON, so Vault applies the token's own TTL.
    renewSelfToken: (token) => vault.renewSelfToken(token, undefined as unknown as string),
  };
}
