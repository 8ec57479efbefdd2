// Random secrets and how they are kept: only a sha256 of a session id or an
// API token is stored, so a copy of the database opens nothing.
import { createHash, randomBytes } from 'node:crypto';

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `prefix` + 32 random bytes, URL-safe. The prefix says what it is (ksu_ API token, kss_ session). */
export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}
