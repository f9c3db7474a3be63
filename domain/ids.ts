/**
 * Ids derived from other ids: the same parts always give the same uuid-shaped id. A step a workflow
 * runs again (its task was lost after the step wrote, or an action was repeated) derives the id it
 * wrote under the first time, and the record's unique keys make the second write a no-op.
 * Pure JavaScript (no Node built-ins): workflows use it.
 */
import { sha256 } from '@noble/hashes/sha2';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils';

export function derivedId(...parts: (string | number)[]): string {
  const h = bytesToHex(sha256(utf8ToBytes(parts.join('|'))));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
