/**
 * Pagination cursors are signed: one the server did not give out is refused (400), not run as a
 * query. Each list signs under its own scope, so a cursor of one list is refused by another.
 */
import crypto from 'node:crypto';
import type { Db } from '../records/db';
import { serverSecret } from '../records/secrets';
import { invalid } from './refusals';

export function cursorSigner(db: Db, scope: string) {
  let key: Promise<Buffer> | undefined;
  const mac = async (payload: string) =>
    crypto
      .createHmac('sha256', await (key ??= serverSecret(db, 'cursor-signing')))
      .update(`${scope}:${payload}`)
      .digest('base64url')
      .slice(0, 22);

  return {
    /** A cursor carrying `parts` (strings without '|'). */
    async encode(...parts: string[]): Promise<string> {
      const payload = Buffer.from(parts.join('|')).toString('base64url');
      return `${payload}.${await mac(payload)}`;
    },
    /** The parts of a cursor this server gave out for this list; 400 otherwise. */
    async decode(cursor: string): Promise<string[]> {
      const refused = invalid('The query is invalid', [{ path: 'query.cursor', message: 'is not a cursor this API gave out' }]);
      const [payload, given] = cursor.split('.');
      if (!payload || !given) throw refused;
      const expected = await mac(payload);
      if (given.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected))) throw refused;
      return Buffer.from(payload, 'base64url').toString('utf8').split('|');
    },
  };
}
