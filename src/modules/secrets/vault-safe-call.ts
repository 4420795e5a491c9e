import { SecretsError } from './secrets.errors';
import { redact, vaultErrorMessages } from './vault-redact';

const ERROR_CODE = /^[A-Z][A-Z0-9_]{1,40}$/;

interface Failure {
  status?: number;
  text: string;
}

function describeFailure(error: unknown, known: readonly (string | undefined)[]): Failure {
  // Only these fields are read: hashi-vault-js 0.5.1 throws axios errors whose
  // message, config, request and headers carry the token and request body.
  const e = error as { response?: { status?: unknown; data?: unknown }; code?: unknown } | null;
  const status = typeof e?.response?.status === 'number' ? e.response.status : undefined;
  if (status !== undefined) {
    const messages = vaultErrorMessages(e?.response?.data, known);
    return { status, text: `HTTP ${status}${messages.length ? `: ${messages.join('; ')}` : ''}` };
  }
  const code = typeof e?.code === 'string' && ERROR_CODE.test(e.code) ? ` (${e.code})` : '';
  return { text: `no response${code}` };
}

/**
 * The one door into hashi-vault-js. Whatever the library throws is replaced by a
 * fresh `SecretsError` (code Unavailable) that holds only the HTTP status and
 * Vault's redacted error messages: no `cause`, no axios config, no headers.
 *
 * @param known exact secrets in play (token, secret id) to scrub from Vault's messages
 * @example
 * const auth = await vaultSafeCall('approle login', () => vault.loginWithAppRole(roleId, secretId), [secretId]);
 */
export async function vaultSafeCall<T>(
  operation: string,
  call: () => PromiseLike<T> | T,
  known: readonly (string | undefined)[] = [],
): Promise<T> {
  let failure: Failure;
  try {
    return await call();
  } catch (error) {
    failure = describeFailure(error, known);
  }
  // Built outside the catch block so nothing links the new error to the old one.
  const meta = failure.status === undefined ? { operation } : { operation, status: failure.status };
  throw SecretsError.unavailable(`Vault ${redact(operation)} failed: ${failure.text}.`, meta);
}
