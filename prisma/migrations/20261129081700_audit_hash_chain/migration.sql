-- The audit trail becomes tamper-evident: a hash chain in insertion order. Each event's hash is a
-- SHA-256 over the previous event's hash and this event's content; the chain's head (last number
-- and hash) is one row whose lock serialises appends, so concurrent writers cannot fork the chain.

-- AlterTable
ALTER TABLE "AuditEvent" ADD COLUMN     "hash" TEXT;

-- CreateTable
CREATE TABLE "AuditChainHead" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "lastSeq" BIGINT NOT NULL,
    "lastHash" TEXT NOT NULL,

    CONSTRAINT "AuditChainHead_pkey" PRIMARY KEY ("id")
);

-- An event's hash. Its content is a JSON array of its columns (time as epoch milliseconds, so
-- no session setting changes it); jsonb's text form of `data` is canonical.
CREATE FUNCTION "audit_event_digest"(
  prev TEXT, id UUID, notice UUID, at TIMESTAMPTZ, type TEXT, role TEXT, country CHAR(2), actor UUID, key TEXT, data JSONB
) RETURNS TEXT LANGUAGE sql STABLE AS $$
  SELECT encode(sha256(convert_to(prev || jsonb_build_array(
    id::text, notice::text, (extract(epoch FROM at) * 1000)::bigint, type, role, country, actor::text, key, data
  )::text, 'UTF8')), 'hex')
$$;

-- Every new event: numbered after the last, chained to it. The head's row lock is held until the
-- inserting transaction ends; audit events are the last write of every transaction that makes
-- one, so it is held briefly. An event whose id is already recorded is skipped (a retried step).
-- SECURITY DEFINER: the application's role may not change the head itself.
CREATE FUNCTION "audit_event_chain"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
  head "AuditChainHead"%ROWTYPE;
BEGIN
  SELECT * INTO head FROM "AuditChainHead" WHERE "id" = 1 FOR UPDATE;
  IF EXISTS (SELECT 1 FROM "AuditEvent" WHERE "id" = NEW."id") THEN
    RETURN NULL;
  END IF;
  NEW."seq" := head."lastSeq" + 1;
  NEW."hash" := "audit_event_digest"(head."lastHash", NEW."id", NEW."noticeId", NEW."at", NEW."type", NEW."actorRole",
    NEW."actorCountry", NEW."actorUserId", NEW."actorKeyId", NEW."data");
  UPDATE "AuditChainHead" SET "lastSeq" = NEW."seq", "lastHash" = NEW."hash" WHERE "id" = 1;
  RETURN NEW;
END;
$$;

-- Events from before get their hashes now, in their order (the append-only trigger is set aside
-- for this one statement, inside this migration's transaction).
ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only";
DO $$
DECLARE
  e RECORD;
  prev TEXT := '';
  last BIGINT := 0;
BEGIN
  FOR e IN SELECT * FROM "AuditEvent" ORDER BY "seq" LOOP
    prev := "audit_event_digest"(prev, e."id", e."noticeId", e."at", e."type", e."actorRole", e."actorCountry", e."actorUserId",
      e."actorKeyId", e."data");
    UPDATE "AuditEvent" SET "hash" = prev WHERE "seq" = e."seq";
    last := e."seq";
  END LOOP;
  INSERT INTO "AuditChainHead" ("id", "lastSeq", "lastHash") VALUES (1, last, prev);
END;
$$;
ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only";

CREATE TRIGGER "AuditEvent_chain"
  BEFORE INSERT ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "audit_event_chain"();
