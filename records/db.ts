/** The database handle every record function takes: the client, or a transaction of it. */
import type { Prisma, PrismaClient } from '../generated/prisma/client';

export type { Prisma, PrismaClient };
export type Db = PrismaClient | Prisma.TransactionClient;
export type Tx = Prisma.TransactionClient;

/**
 * Runs `fn` in a transaction, or inside the caller's when `db` already is one. A transaction client
 * is told by the `$connect` it lacks: Prisma 7 gives it a `$transaction` too (a savepoint, which the
 * embedded database's adapter refuses).
 */
export function inTransaction<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return '$connect' in db ? (db as PrismaClient).$transaction(fn) : fn(db);
}
