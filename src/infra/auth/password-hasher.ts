import { Injectable } from '@nestjs/common';
import { randomBytes, scrypt as scryptCallback, timingSafeEqual } from 'node:crypto';

const LOG_N = 15; // N = 32768: about 50-100 ms a hash on one core, 32 MiB of memory
const R = 8;
const P = 1;
const KEY_LENGTH = 32;

function scrypt(password: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCallback(password.normalize('NFKC'), salt, KEY_LENGTH, { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r }, (err, key) =>
      err ? reject(err) : resolve(key),
    ),
  );
}

/**
 * Password hashes with scrypt from `node:crypto` (no native addon). The stored
 * form names its parameters, `scrypt$15$8$1$<salt>$<hash>`, so they can be
 * raised later without breaking old hashes.
 */
@Injectable()
export class PasswordHasher {
  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await scrypt(password, salt, LOG_N, R, P);
    return ['scrypt', LOG_N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const [scheme, logN, r, p, salt, hash] = stored.split('$');
    if (scheme !== 'scrypt' || !salt || !hash) {
      // No password set yet (an invite not yet accepted) must not answer faster than a wrong one.
      await this.burn(password);
      return false;
    }
    const expected = Buffer.from(hash, 'base64url');
    const actual = await scrypt(password, Buffer.from(salt, 'base64url'), Number(logN), Number(r), Number(p));
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  /** Spends the same time as a real check, so an unknown e-mail cannot be told from a wrong password. */
  async burn(password: string): Promise<void> {
    await scrypt(password, Buffer.alloc(16), LOG_N, R, P);
  }
}
