const REDACTED = '[redacted]';

// Vault/OpenBao token formats (hvs./hvb./hvr. and the legacy s./b./r.), ciphertexts
// and HMACs of either provider, UUIDs (role ids, secret ids, accessors), and any
// long opaque run (custom tokens, base64, hex). Ordinary Vault messages have none.
const PATTERNS: readonly RegExp[] = [
  /\b(?:hv[sbr]|[sbr])\.[A-Za-z0-9_.-]{8,}/g,
  /\b(?:vault|local):v\d+:[A-Za-z0-9+/=_-]*/g,
  /\blocal:hmac:[A-Za-z0-9:+/=_-]*/g,
  /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi,
  /[A-Za-z0-9_+=-]{24,}/g,
];

const MAX_MESSAGE_LENGTH = 200;
const MAX_MESSAGES = 5;

/**
 * Scrubs text that came from Vault (or from an error about a Vault call) before it
 * goes into an error or a log line. `known` lists the exact secrets in play (the
 * current token, a secret id), since a custom token such as a dev root token has
 * no recognisable shape.
 */
export function redact(text: string, known: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const secret of known) {
    if (secret && secret.length >= 4) out = out.split(secret).join(REDACTED);
  }
  for (const pattern of PATTERNS) out = out.replace(pattern, REDACTED);
  // Vault wraps messages as "1 error occurred:\n\t* permission denied\n\n".
  out = out.replace(/\s+/g, ' ').trim();
  return out.length > MAX_MESSAGE_LENGTH ? `${out.slice(0, MAX_MESSAGE_LENGTH)}...` : out;
}

/** Vault's `{"errors": [...]}` body as a short, redacted list; anything else gives []. */
export function vaultErrorMessages(body: unknown, known: readonly (string | undefined)[] = []): string[] {
  const errors = (body as { errors?: unknown } | null | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors
    .filter((e): e is string => typeof e === 'string')
    .slice(0, MAX_MESSAGES)
    .map((e) => redact(e, known));
}
