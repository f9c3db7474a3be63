/**
 * Pagination cursors, signed with a server secret: a cursor the server did not give out is refused
 * (400), never run as a query. A cursor carries a position: a time and a tie-breaking key. Each
 * list that keys its positions differently signs under its own scope, so a cursor one list gave
 * out is refused by another rather than run there.
 */
import crypto from 'node:crypto';
import type { Db } from '../records/db';
import { serverSecret } from '../records/secrets';
import { invalid } from './refusals';

export interface Position {
  at: Date;
  key: string;
}

export function cursorCodec(prisma: Db, scope = 'notices') {
  let secret: Promise<Buffer> | undefined;
  const sign = async (payload: string) =>
    crypto
      .createHmac('sha256', await (secret ??= serverSecret(prisma, 'cursor-signing')))
      .update(`${scope}:${payload}`)
      .digest('base64url')
      .slice(0, 22);

  return {
    async encode(p: Position): Promise<string> {
      const payload = Buffer.from(`${p.at.toISOString()}|${p.key}`).toString('base64url');
      return `${payload}.${await sign(payload)}`;
    },

    async decode(cursor: string): Promise<Position> {
      const refused = invalid('The query is invalid', [
        { path: 'query.cursor', code: 'CURSOR', message: 'is not a cursor this API gave out' },
      ]);
      const [payload, mac] = cursor.split('.');
      if (!payload || !mac) throw refused;
      const expected = await sign(payload);
      if (mac.length !== expected.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) throw refused;
      const text = Buffer.from(payload, 'base64url').toString('utf8');
      const split = text.indexOf('|');
      return { at: new Date(text.slice(0, split)), key: text.slice(split + 1) };
    },
  };
}
export type CursorCodec = ReturnType<typeof cursorCodec>;
