/**
 * Where two JSON values differ, as a path like `included[3].attributes.total`,
 * or undefined when they are equal. Member order in objects is ignored; array
 * order is not.
 */
export function firstDifference(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (Object.is(actual, expected)) return undefined;
  const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(actual) !== kind(expected)) return `${path}: ${describe(actual)} where ${describe(expected)} was expected`;
  if (Array.isArray(actual)) {
    const other = expected as unknown[];
    if (actual.length !== other.length) return `${path}: ${actual.length} items where ${other.length} were expected`;
    for (let i = 0; i < actual.length; i++) {
      const found = firstDifference(actual[i], other[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  if (kind(actual) === 'object') {
    const a = actual as Record<string, unknown>;
    const e = expected as Record<string, unknown>;
    for (const key of new Set([...Object.keys(e), ...Object.keys(a)])) {
      if (!(key in a)) return `${path}.${key}: missing (expected ${describe(e[key])})`;
      if (!(key in e)) return `${path}.${key}: unexpected member ${describe(a[key])}`;
      const found = firstDifference(a[key], e[key], `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  return `${path}: ${describe(actual)} where ${describe(expected)} was expected`;
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
