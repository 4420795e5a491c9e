// hashi-vault-js is an ES module; our CommonJS build loads it through Node's
// require(esm) (Node >= 20.19), which marks the namespace `__esModule`, so the
// default import that TypeScript emits as `__importDefault(require(...)).default`
// is the class. Jest (run with --experimental-vm-modules) resolves it the same way.
import Vault from 'hashi-vault-js';
import { inspect } from 'node:util';
import type { VaultConfig } from '../../config/app-config';

/** The part of hashi-vault-js we use for authentication. Call it only through `vaultSafeCall`. */
export interface VaultAuthApi {
  loginWithAppRole(roleId: string, secretId: string): PromiseLike<unknown> | unknown;
  lookupSelfToken(token: string): PromiseLike<unknown>;
  renewSelfToken(token: string): PromiseLike<unknown>;
}

/** KV v2, as hashi-vault-js offers it. Call it only through `vaultSafeCall`. */
export interface VaultKvApi {
  /** Writes a new version; resolves `{ version, ... }`. */
  write(token: string, path: string, data: Record<string, string>): PromiseLike<unknown>;
  /** The newest version: resolves `{ data, metadata: { version } }`. */
  read(token: string, path: string): PromiseLike<unknown>;
  /** Deletes every version and the metadata. */
  remove(token: string, path: string): PromiseLike<unknown>;
}

type AxiosLike = { interceptors: { response: { use(onFulfilled: undefined, onRejected: (error: unknown) => unknown): void } } };

/**
 * An axios failure reduced to what `vaultSafeCall` reads: the status, Vault's
 * `errors` and the socket error code. Nothing else survives: axios errors carry
 * the request's headers (the token) and body (a secret value). hashi-vault-js
 * also prints `err.response` with console.log when `updateKVSecret` fails;
 * printed, this shows one line with the status only (no response: its code).
 */
function stripped(error: unknown): object {
  const e = error as { code?: unknown; response?: { status?: unknown; data?: { errors?: unknown } } } | null;
  const code = typeof e?.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(e.code) ? e.code : undefined;
  const status = typeof e?.response?.status === 'number' ? e.response.status : undefined;
  const errors = Array.isArray(e?.response?.data?.errors) ? e.response.data.errors.filter((m): m is string => typeof m === 'string') : [];
  const printed = `hashi-vault-js: Vault request failed (${status === undefined ? `no response${code ? `, ${code}` : ''}` : `HTTP ${status}`}); details withheld`;
  const response = { ...(status !== undefined && { status, data: { errors } }), [inspect.custom]: () => printed };
  return { code, response };
}

function newVault(config: VaultConfig): Vault {
  // proxy: false keeps axios from routing Vault traffic (and the token) through an HTTP(S)_PROXY.
  const vault = new Vault({ baseUrl: `${config.addr}/v1`, timeout: config.timeoutMs, proxy: false });
  (vault.instance as AxiosLike).interceptors.response.use(undefined, (error) => Promise.reject(stripped(error)));
  return vault;
}

export function createVaultAuthApi(config: VaultConfig): VaultAuthApi {
  const vault = newVault(config);
  return {
    loginWithAppRole: (roleId, secretId) => vault.loginWithAppRole(roleId, secretId),
    lookupSelfToken: (token) => vault.lookupSelfToken(token),
    // An undefined increment is left out of the JSON, so Vault applies the token's own TTL.
    renewSelfToken: (token) => vault.renewSelfToken(token, undefined as unknown as string),
  };
}

export function createVaultKvApi(config: VaultConfig): VaultKvApi {
  const vault = newVault(config);
  const mount = config.kvMount;
  return {
    // No check-and-set version: the caller serialises writes to one path (a row lock), and a
    // write must not fail because an earlier attempt reached Vault but not the database.
    write: (token, path, data) => vault.updateKVSecret(token, path, data, undefined as unknown as number, mount),
    read: (token, path) => vault.readKVSecret(token, path, undefined as unknown as number, mount),
    remove: (token, path) => vault.eliminateKVSecret(token, path, mount),
  };
}
