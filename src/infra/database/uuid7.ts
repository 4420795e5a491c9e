import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits, so ids sort
 * by creation time (good for B-tree inserts) and devices can make them offline.
 * Ids from one generator never go backwards: within a millisecond (or if the
 * clock steps back) a 12-bit counter keeps them ordered.
 */
export class Uuid7Generator {
  private lastMs = 0;
  private sequence = 0;

  next(now = Date.now()): string {
    if (now > this.lastMs) {
      this.lastMs = now;
      this.sequence = randomBytes(2).readUInt16BE() & 0x3ff;
    } else {
      this.sequence = (this.sequence + 1) & 0xfff;
      if (this.sequence === 0) this.lastMs += 1;
    }
    const bytes = randomBytes(16);
    bytes.writeUIntBE(this.lastMs, 0, 6);
    bytes[6] = 0x70 | (this.sequence >> 8);
    bytes[7] = this.sequence & 0xff;
    bytes[8] = 0x80 | (bytes[8] & 0x3f);
    const hex = bytes.toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
}

const shared = new Uuid7Generator();

/**
 * A new UUIDv7 from the process-wide generator.
 *
 * @example
 * const id = uuid7(); // '019a3b6e-5c2a-7f00-8d3e-...'
 */
export const uuid7 = (): string => shared.next();

/** Any RFC 9562 UUID (versions 1 to 8), lower-case: what an id in a path, a reference or a filter may be. */
export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A UUIDv7, lower-case: the only form of a new id, the server's or a client's (time-ordered, so inserts land at the end of the index). */
export const UUID7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
