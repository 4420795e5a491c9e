/** A position in a feed ordered by (updatedAt, id). */
export interface Cursor {
  updatedAt: Date;
  id: string;
}

const ID = /^[0-9a-f-]{36}$/;

/** Opaque to clients: base64url of `<epoch ms>.<id>`. */
export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.updatedAt.getTime()}.${cursor.id}`).toString('base64url');
}

export function decodeCursor(raw: string): Cursor | null {
  if (!/^[\w-]{1,120}$/.test(raw)) return null;
  const [ms, id] = Buffer.from(raw, 'base64url').toString('utf8').split('.');
  if (!/^\d{1,15}$/.test(ms ?? '') || !ID.test(id ?? '')) return null;
  return { updatedAt: new Date(Number(ms)), id };
}
