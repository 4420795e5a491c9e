import type { ResourceQuery } from './resource-query';

export interface Page<T> {
  items: T[];
  total: number;
}

/**
 * `self`, `first`, `prev`, `next` and `last` for a numbered page, keeping every
 * other parameter of the request (sort, filters, fieldsets) as it was. Brackets
 * are percent-encoded: links must be valid URI references.
 */
export function pageLinks(url: string, query: ResourceQuery, total: number): Record<string, string | null> {
  const [path, search = ''] = url.split('?');
  const params = new URLSearchParams(search);
  const { number, size } = query.page;
  const last = Math.max(1, Math.ceil(total / size));
  const at = (page: number) => {
    params.set('page[number]', String(page));
    params.set('page[size]', String(size));
    return `${path}?${params.toString()}`;
  };
  return {
    self: at(number),
    first: at(1),
    prev: number > 1 ? at(Math.min(number - 1, last)) : null,
    next: number < last ? at(number + 1) : null,
    last: at(last),
  };
}

/** The request URL as a valid URI reference (query re-encoded), for `links.self`. */
export function canonicalUrl(url: string): string {
  const [path, search] = url.split('?');
  return search === undefined ? path : `${path}?${new URLSearchParams(search).toString()}`;
}
