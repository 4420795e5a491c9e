// hashi-vault-js is an ES module; our CommonJS build loads it through Node's
// require(esm) (Node >= 20.19), which marks the namespace `__esModule`, so the
// default import that TypeScript emits as `__importDefault(require(...)).default`
// is the class. Jest (run with --experimental-vm-modules) resolves it the same way.
import Vault from 'hashi-vault-js';
import type { VaultConfig } from '../../config/app-config';

/** The part of hashi-vault-js we use for authentication. Call it only through `vaultSafeCall`. */
export interface VaultAuthApi {
  loginWithAppRole(roleId: string, secretId: string): PromiseLike<unknown>;
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

/** The part of hashi-vault-js that reports Vault's state (`sys/health`). Call it only through `vaultSafeCall`. */
export interface VaultHealthApi {
  /** Resolves the `sys/health` body, whatever the state (sealed and uninitialised answer 200 too). */
  health(): PromiseLike<unknown>;
}

type AxiosLike = {
  interceptors: { response: { use(onFulfilled: undefined, onRejected: (error: unknown) => unknown): void } };
};

/** Marks a failure carried through the library as if it were an answer (see `newVault`). */
const FAILED = Symbol('hashi-vault-js call failed');
type Carried = { [FAILED]: object };

/**
 * An axios failure reduced to what `vaultSafeCall` reads: the status, Vault's
 * `errors` and the socket error code. Nothing else survives: axios errors carry
 * the request's headers (the token) and body (a secret value).
 */
function stripped(error: unknown): object {
  const e = error as { code?: unknown; response?: { status?: unknown; data?: { errors?: unknown } } } | null;
  const code = typeof e?.code === 'string' && /^[A-Z][A-Z0-9_]{1,40}$/.test(e.code) ? e.code : undefined;
  const status = typeof e?.response?.status === 'number' ? e.response.status : undefined;
  const errors = Array.isArray(e?.response?.data?.errors) ? e.response.data.errors.filter((m): m is string => typeof m === 'string') : [];
  return { code, ...(status !== undefined && { response: { status, data: { errors } } }) };
}

/**
 * Resolves what a library method resolved, or rejects with the stripped failure
 * that `newVault`'s interceptor carried through it.
 */
async function settled(call: unknown): Promise<unknown> {
  const result: unknown = await call;
  if (result && typeof result === 'object' && FAILED in result) throw (result as Carried)[FAILED];
  return result;
}

/**
 * A failed request never reaches the library's own `catch` blocks: the
 * interceptor turns it into a resolved answer whose `data.data` (what the
 * library's methods return) is a marker holding the stripped failure, and
 * `settled` throws that. So the library never sees an axios error, and never
 * runs the `console.log(err.response)` of its `updateKVSecret`, which would
 * print to stdout beside the JSON log lines, outside pino and its redaction.
 */
function newVault(config: VaultConfig): Vault {
  // proxy: false keeps axios from routing Vault traffic (and the token) through an HTTP(S)_PROXY.
  const vault = new Vault({ baseUrl: `${config.addr}/v1`, timeout: config.timeoutMs, proxy: false });
  (vault.instance as AxiosLike).interceptors.response.use(undefined, (error) => ({ status: 200, data: { data: { [FAILED]: stripped(error) } } }));
  return vault;
}

export function createVaultHealthApi(config: VaultConfig): VaultHealthApi {
  const vault = newVault(config);
  // Every state answers 200 with a body to read, so sealed is told apart from unreachable.
  const params = { standbyok: true, perfstandbyok: true, sealedcode: 200, uninitcode: 200, drsecondarycode: 200 };
  return { health: () => settled(vault.healthCheck(params)) };
}

export function createVaultAuthApi(config: VaultConfig): VaultAuthApi {
  const vault = newVault(config);
  return {
    loginWithAppRole: (roleId, secretId) => settled(vault.loginWithAppRole(roleId, secretId)),
    lookupSelfToken: (token) => settled(vault.lookupSelfToken(token)),
    // An undefined increment is left out of the JSON, so Vault applies the token's own TTL.
    renewSelfToken: (token) => settled(vault.renewSelfToken(token, undefined as unknown as string)),
  };
}

export function createVaultKvApi(config: VaultConfig): VaultKvApi {
  const vault = newVault(config);
  const mount = config.kvMount;
  return {
    // No check-and-set version: the caller serialises writes to one path (a row lock), and a
    // write must not fail because an earlier attempt reached Vault but not the database.
    write: (token, path, data) => settled(vault.updateKVSecret(token, path, data, undefined as unknown as number, mount)),
    read: (token, path) => settled(vault.readKVSecret(token, path, undefined as unknown as number, mount)),
    remove: (token, path) => settled(vault.eliminateKVSecret(token, path, mount)),
  };
}
