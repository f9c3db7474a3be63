/** Secrets the server makes for itself once and every API process shares through the database. */
import crypto from 'node:crypto';
import type { Db } from './db';

export async function serverSecret(db: Db, name: string): Promise<Buffer> {
  await db.serverSecret.createMany({ data: [{ name, value: crypto.randomBytes(32).toString('base64') }], skipDuplicates: true });
  const row = await db.serverSecret.findUniqueOrThrow({ where: { name } });
  return Buffer.from(row.value, 'base64');
}
