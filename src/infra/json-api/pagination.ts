import { encodeCursor } from './cursor';
import type { ResourceQuery } from './resource-query';

export interface Page<T> {
  items: T[];
  /** Numbered pages: how many records match in all. */
  total?: number;
  /** Cursor pages: whether more records lie beyond this page in the direction read. */
  hasMore?: boolean;
}

type Links = Record<string, string | null>;

function withParams(url: string, set: Record<string, string | undefined>): string {
  const [path, search = ''] = url.split('?');
  const params = new URLSearchParams(search);
  for (const [name, value] of Object.entries(set)) {
    if (value === undefined) params.delete(name);
    else params.set(name, value);
  }
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

/**
 * Pagination links, keeping every other parameter of the request (sort, filters,
 * fieldsets) as it was. Brackets are percent-encoded: links must be valid URI references.
 * Numbered pages get `first`/`prev`/`next`/`last`; cursor pages (the cursor
 * pagination profile) get `prev`/`next` from the first and last records.
 */
export function pageLinks(url: string, query: ResourceQuery, page: Page<{ id: string; updatedAt?: Date }>): Links {
  if (query.page.kind === 'number') {
    const { number, size } = query.page;
    const last = Math.max(1, Math.ceil((page.total ?? 0) / size));
    const at = (n: number) => withParams(url, { 'page[number]': String(n), 'page[size]': String(size) });
    return { self: at(number), first: at(1), prev: number > 1 ? at(Math.min(number - 1, last)) : null, next: number < last ? at(number + 1) : null, last: at(last) };
  }
  const { size, after, before } = query.page;
  const cursor = (record: { id: string; updatedAt?: Date } | undefined) =>
    record?.updatedAt ? encodeCursor({ updatedAt: record.updatedAt, id: record.id }) : undefined;
  const at = (name: 'after' | 'before', value: string | undefined) =>
    value === undefined ? null : withParams(url, { 'page[after]': undefined, 'page[before]': undefined, 'page[size]': String(size), [`page[${name}]`]: value });
  const first = cursor(page.items[0]);
  const last = cursor(page.items[page.items.length - 1]);
  const reading = before ? 'backwards' : 'forwards';
  // The profile: without page[after] the server must know whether a previous page exists (from the start
  // of a feed there is none), without page[before] whether a next one does.
  return {
    self: canonicalUrl(url),
    prev: reading === 'backwards' ? (page.hasMore ? at('before', first) : null) : after ? at('before', first) : null,
    next: reading === 'forwards' ? (page.hasMore ? at('after', last) : null) : at('after', last),
  };
}

/** The request URL as a valid URI reference (query re-encoded), for `links.self`. */
export function canonicalUrl(url: string): string {
  const [path, search] = url.split('?');
  return search === undefined ? path : withParams(path, Object.fromEntries(new URLSearchParams(search)));
}
