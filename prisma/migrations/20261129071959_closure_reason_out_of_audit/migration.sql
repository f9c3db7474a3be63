-- AlterTable
ALTER TABLE "Notice" ADD COLUMN     "closureGrounds" TEXT[],
ADD COLUMN     "closureReason" TEXT;

-- The audit trail keeps ids, codes and counts only: free text (reasons, messages) moves to the
-- case tables, which retention can erase. Existing requests get their closure reason back from
-- the trail, which is then cleared of free text; the append-only trigger is set aside for this
-- one statement, inside this migration's transaction.
UPDATE "Notice" n
SET "closureReason" = e."data"->>'reason',
    "closureGrounds" = ARRAY(SELECT jsonb_array_elements_text(COALESCE(e."data"->'grounds', '[]'::jsonb)))
FROM "AuditEvent" e
WHERE e."noticeId" = n."id" AND e."type" = n."status"::text AND n."closedAt" IS NOT NULL;

ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only";
UPDATE "AuditEvent" SET "data" = "data" - 'reason' - 'message' WHERE "data" ? 'reason' OR "data" ? 'message';
ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only";
