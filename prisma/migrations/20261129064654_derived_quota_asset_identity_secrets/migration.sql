-- DropIndex
DROP INDEX "LocatedAsset_noticeId_idx";

-- AlterTable: assets recorded before identities existed keep one row each (their id is their identity).
ALTER TABLE "LocatedAsset" ADD COLUMN "identity" TEXT;
UPDATE "LocatedAsset" SET "identity" = "id"::text;
ALTER TABLE "LocatedAsset" ALTER COLUMN "identity" SET NOT NULL;

-- AlterTable: whether a request holds quota follows from its state (domain/pilot.ts).
ALTER TABLE "Notice" DROP COLUMN "holdsQuota",
ALTER COLUMN "subjectKey" DROP NOT NULL;
-- A name with no letter left no usable key: such requests match nobody.
UPDATE "Notice" SET "subjectKey" = NULL WHERE "subjectKey" LIKE '|%';

-- CreateTable
CREATE TABLE "ServerSecret" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ServerSecret_pkey" PRIMARY KEY ("name")
);

-- CreateIndex
CREATE UNIQUE INDEX "LocatedAsset_noticeId_country_identity_key" ON "LocatedAsset"("noticeId", "country", "identity");

-- CreateIndex
CREATE INDEX "Notice_requestingCountry_status_idx" ON "Notice"("requestingCountry", "status");
