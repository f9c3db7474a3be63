/**
 * Pagination cursors, signed with a server secret: a cursor the server did not give out is refused
 * (400), never run as a query. A cursor carries a position: a time and a tie-breaking key.
 */
import crypto from 'node:crypto';
import type { PrismaClient } from '../records/db';
import { serverSecret } from '../records/secrets';
import { invalid } from './refusals';

export interface Position {
  at: Date;
  key: string;
}

export function cursorCodec(prisma: PrismaClient) {
  let secret: Promise<Buffer> | undefined;
  const sign = async (payload: string) =>
    crypto
      .createHmac('sha256', await (secret ??= serverSecret(prisma, 'cursor-signing')))
      .update(payload)
      .digest('base64url')
      .slice(0, 22);

  return {
    async encode(p: Position): Promise<string> {
      const payload = Buffer.from(`${p.at.toISOString()}|${p.key}`).toString('base64url');
      return `${payload}.${await sign(payload)}`;
    },

    async decode(cursor: string): Promise<Position> {
      const refused = invalid('The query is invalid', [{ path: 'query.cursor', message: 'is not a cursor this API gave out' }]);
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
