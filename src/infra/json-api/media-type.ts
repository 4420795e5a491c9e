export const JSON_API_MEDIA_TYPE = 'application/vnd.api+json';
export const ATOMIC_EXT = 'https://jsonapi.org/ext/atomic';

/** Extensions this server can apply; a request naming another one is refused (415/406). */
export const SUPPORTED_EXTENSIONS: ReadonlySet<string> = new Set([ATOMIC_EXT]);

export interface MediaType {
  type: string;
  params: Map<string, string>;
}

/** Splits a header on commas that are not inside quoted strings. */
function splitList(header: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of header) {
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter(Boolean);
}

export function parseMediaType(value: string): MediaType {
  const [type, ...rest] = value.split(';');
  const params = new Map<string, string>();
  for (const raw of rest) {
    const at = raw.indexOf('=');
    if (at < 0) continue;
    const name = raw.slice(0, at).trim().toLowerCase();
    params.set(name, raw.slice(at + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return { type: type.trim().toLowerCase(), params };
}

const uris = (value: string | undefined) => (value ? value.split(/\s+/).filter(Boolean) : []);

/** A range with a q of 0 means "not acceptable" (RFC 9110 §12.4.2). */
const refused = (range: MediaType) => /^0(\.0*)?$/.test(range.params.get('q') ?? '');

/**
 * The ranges of an Accept header that decide about `type`: those naming it,
 * else its major type's wildcard (`application/*`), else the full wildcard.
 * The most specific range wins (RFC 9110 §12.5.1), so JSON:API with q=0 is
 * refused even when a wildcard follows it.
 */
function rangesFor(accept: string, type: string): MediaType[] {
  const listed = splitList(accept).map(parseMediaType);
  for (const range of [type, `${type.split('/')[0]}/*`, '*/*']) {
    const matching = listed.filter((m) => m.type === range);
    if (matching.length) return matching;
  }
  return [];
}

/** A JSON:API media type we can honour: only `ext`/`profile` parameters, and only extensions we support. */
function acceptable(media: MediaType): boolean {
  for (const name of media.params.keys()) if (name !== 'ext' && name !== 'profile' && name !== 'q') return false;
  return uris(media.params.get('ext')).every((uri) => SUPPORTED_EXTENSIONS.has(uri));
}

export type Negotiation =
  | { ok: true; ext: string[]; profile: string[] }
  | { ok: false; status: 415 | 406; detail: string };

/**
 * Content negotiation as JSON:API 1.1 requires of servers:
 * 415 for a request body in another media type, or with parameters other than
 * `ext`/`profile`, or naming an unsupported extension; 406 when `Accept` lists
 * JSON:API only with such parameters, or lists nothing we can produce.
 */
export function negotiate(contentType: string | undefined, accept: string | undefined): Negotiation {
  let ext: string[] = [];
  let profile: string[] = [];
  if (contentType !== undefined) {
    const media = parseMediaType(contentType);
    if (media.type !== JSON_API_MEDIA_TYPE) {
      return { ok: false, status: 415, detail: `Request bodies must be ${JSON_API_MEDIA_TYPE}.` };
    }
    if (media.params.has('q') || !acceptable(media)) {
      return {
        ok: false,
        status: 415,
        detail: 'The request media type may carry only the ext and profile parameters, with supported extensions.',
      };
    }
    ext = uris(media.params.get('ext'));
    profile = uris(media.params.get('profile'));
  }
  if (accept !== undefined && accept.trim() !== '') {
    const ranges = rangesFor(accept, JSON_API_MEDIA_TYPE);
    const allowed = ranges.filter((m) => !refused(m));
    if (ranges[0]?.type === JSON_API_MEDIA_TYPE ? !allowed.some(acceptable) : !allowed.length) {
      return { ok: false, status: 406, detail: `Accept must allow ${JSON_API_MEDIA_TYPE} without unsupported parameters.` };
    }
  }
  return { ok: true, ext, profile };
}

/**
 * Whether `Accept` allows the CSV of an export: `text/csv`, `text/` any, or
 * any media type, whichever is most specific, with a q above 0; or no Accept at all. A client asking
 * for JSON:API only gets 406: an export has no JSON:API form. Its errors are
 * JSON:API error documents all the same, as every error under /api/ is.
 */
export function acceptsCsv(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return rangesFor(accept, 'text/csv').some((m) => !refused(m));
}

/** The response Content-Type, echoing the extensions and profiles applied. */
export function responseContentType(ext: readonly string[], profile: readonly string[]): string {
  let value = JSON_API_MEDIA_TYPE;
  if (ext.length) value += `; ext="${ext.join(' ')}"`;
  if (profile.length) value += `; profile="${profile.join(' ')}"`;
  return value;
}
