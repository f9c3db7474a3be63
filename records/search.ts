/**
 * The search index: the terms a request is found by (domain/search.ts says which), written with
 * its content, and the one statement that answers a search from the indexes alone.
 */
import type { Subject } from '../domain/request';
import { subjectTerms, type SearchField, type SearchQuery } from '../domain/search';
import { Prisma } from '../generated/prisma/client';
import type { Db, PrismaClient, Tx } from './db';
import type { IdentifierDigest } from './links';

/** Rewrites the terms of a request's subject, when a clarification changes it. */
export async function indexSubject(tx: Tx, noticeId: string, subject: Partial<Subject> | null | undefined): Promise<void> {
  await tx.searchTerm.deleteMany({ where: { noticeId } });
  await indexNewSubject(tx, noticeId, subject);
}

/** Writes the terms of a request that has none yet (a submission: one statement fewer on its path). */
export async function indexNewSubject(tx: Tx, noticeId: string, subject: Partial<Subject> | null | undefined): Promise<void> {
  const rows = subjectTerms(subject);
  if (rows.length === 0) return;
  await tx.$executeRaw`
    INSERT INTO "SearchTerm" ("noticeId", "field", "entry", "term")
    SELECT ${noticeId}::uuid, * FROM unnest(${rows.map((r) => r.field)}::text[], ${rows.map((r) => r.entry)}::int[], ${rows.map((r) => r.term)}::text[])
    ON CONFLICT DO NOTHING`;
}

/** Retention: the request is no longer found by anything personal. */
export function eraseSearchTerms(tx: Tx, noticeId: string) {
  return tx.searchTerm.deleteMany({ where: { noticeId } });
}

/**
 * Indexes requests recorded before the search existed (a request not yet erased has terms as soon
 * as its subject has a name or a document), a batch at a time; returns how many it indexed.
 */
export async function indexUnindexed(prisma: PrismaClient, batch = 500): Promise<number> {
  let total = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await prisma.$queryRaw<{ id: string }[]>`
      SELECT n."id" FROM "Notice" n
      WHERE n."purgedAt" IS NULL AND n."subject" <> '{}'::jsonb AND n."id" > ${after}::uuid
        AND NOT EXISTS (SELECT 1 FROM "SearchTerm" t WHERE t."noticeId" = n."id")
      ORDER BY n."id" LIMIT ${batch}`;
    if (rows.length === 0) return total;
    for (const { id } of rows) {
      // Read again under the request's row lock: a clarification (or another process starting)
      // may have indexed it since, and its subject is then the one to keep.
      total += await prisma.$transaction(async (tx) => {
        const [row] = await tx.$queryRaw<{ subject: Subject; indexed: boolean }[]>`
          SELECT n."subject", EXISTS (SELECT 1 FROM "SearchTerm" t WHERE t."noticeId" = n."id") AS "indexed"
          FROM "Notice" n WHERE n."id" = ${id}::uuid AND n."purgedAt" IS NULL FOR UPDATE`;
        if (!row || row.indexed) return 0;
        await indexSubject(tx, id, row.subject);
        return 1;
      });
    }
    after = rows[rows.length - 1].id;
  }
}

/** A request a search found, with what it was found by. */
export interface SearchHit {
  id: string;
  caseNumber: string;
  reference: string | null;
  status: string;
  requestingCountry: string;
  published: boolean;
  /** The caller's country is among its recipients. */
  addressed: boolean;
  blocked: boolean;
  upheld: boolean;
  matched: SearchField[];
}

/**
 * The requests `q` finds, newest first, among those from `involving` or published to it (every
 * request when it is not given, as the list's need to know has it). Each part is an equality on an
 * index: the terms, the asset identifiers' digests, the case number and the reference.
 */
export function searchRequests(db: Db, s: SearchArgs): Promise<SearchHit[]> {
  return db.$queryRaw<SearchHit[]>(searchStatement(s));
}

export interface SearchArgs {
  query: SearchQuery;
  digests: IdentifierDigest[];
  involving?: string;
  limit: number;
}

/** The statement of a search (tests read its plan). */
export function searchStatement(s: SearchArgs): Prisma.Sql {
  const { query } = s;
  const country = s.involving ?? null;
  const names = query.words.length
    ? Prisma.sql`
      SELECT "noticeId", "field" FROM "SearchTerm"
      WHERE "term" = ANY(${query.words}::text[]) AND "field" IN ('subject.name', 'aliases.name')
      GROUP BY "noticeId", "field", "entry" HAVING count(DISTINCT "term") = ${query.words.length}`
    : Prisma.sql`SELECT NULL::uuid, NULL::text WHERE false`;
  // The newest `limit` requests found are chosen first; only they are grouped and looked into.
  return Prisma.sql`
    WITH hits AS (
      ${names}
      UNION SELECT "noticeId", "field" FROM "SearchTerm" WHERE "term" = ${query.compact} AND "field" = 'identityDocuments.number'
      UNION SELECT i."noticeId", CASE i."source" WHEN 'SOUGHT' THEN 'assetsSought.identifiers' ELSE 'assetsLocated.identifiers' END
        FROM "AssetIdentifier" i
        JOIN unnest(${s.digests.map((d) => d.type)}::text[], ${s.digests.map((d) => d.digest)}::text[]) AS d(type, digest)
        ON i."type" = d.type AND i."digest" = d.digest
      UNION SELECT "id", 'caseNumber' FROM "Notice" WHERE "caseNumber" = ${query.caseNumber ?? null}
      UNION SELECT "id", 'reference' FROM "Notice" WHERE "reference" = ${query.reference ?? null}
    ), newest AS (
      SELECT n."id", n."createdAt" FROM "Notice" n
      WHERE n."id" IN (SELECT "noticeId" FROM hits)
        AND (${country}::text IS NULL OR n."requestingCountry" = ${country}
             OR (n."publishedAt" IS NOT NULL AND EXISTS (SELECT 1 FROM "Recipient" r WHERE r."noticeId" = n."id" AND r."country" = ${country})))
      ORDER BY n."createdAt" DESC, n."id" DESC
      LIMIT ${s.limit}
    )
    SELECT n."id", n."caseNumber", n."reference", n."status"::text AS "status", n."requestingCountry",
           n."publishedAt" IS NOT NULL AS "published",
           EXISTS (SELECT 1 FROM "Recipient" r WHERE r."noticeId" = n."id" AND r."country" = ${country}) AS "addressed",
           EXISTS (SELECT 1 FROM "Blocking" b WHERE b."noticeId" = n."id" AND b."decidedAt" IS NULL) AS "blocked",
           EXISTS (SELECT 1 FROM "Blocking" b WHERE b."noticeId" = n."id" AND b."outcome" = 'UPHELD') AS "upheld",
           array_agg(DISTINCT h."field" ORDER BY h."field") AS "matched"
    FROM newest JOIN "Notice" n ON n."id" = newest."id" JOIN hits h ON h."noticeId" = n."id"
    GROUP BY n."id", newest."createdAt"
    ORDER BY newest."createdAt" DESC, n."id" DESC`;
}
