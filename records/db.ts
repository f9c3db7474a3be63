/** The database handle every record function takes: the client, or a transaction of it. */
import type { Prisma, PrismaClient } from '../generated/prisma/client';

export type { Prisma, PrismaClient };
export type Db = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;

/** Runs `fn` in a transaction, or inside the caller's when `db` already is one. */
export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return '$transaction' in db ? db.$transaction(fn) : fn(db);
}
