-- CreateEnum
CREATE TYPE "RenewalDecision" AS ENUM ('APPROVE', 'REJECT');

-- CreateEnum
CREATE TYPE "BlockingOutcome" AS ENUM ('UPHELD', 'DISMISSED');

-- CreateEnum
CREATE TYPE "IdentifierSource" AS ENUM ('SOUGHT', 'LOCATED');

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "NotificationType" ADD VALUE 'BLOCKED';
ALTER TYPE "NotificationType" ADD VALUE 'UNBLOCKED';
ALTER TYPE "NotificationType" ADD VALUE 'RENEWED';
ALTER TYPE "NotificationType" ADD VALUE 'DELAY';
ALTER TYPE "NotificationType" ADD VALUE 'REASSESSMENT_DUE';
ALTER TYPE "NotificationType" ADD VALUE 'LINK_DETECTED';

-- AlterEnum
-- This migration adds more than one value to an enum.
-- With PostgreSQL versions 11 and earlier, this is not possible
-- in a single migration. This can be worked around by creating
-- multiple migrations, each migration adding only one value to
-- the enum.


ALTER TYPE "RecipientStatus" ADD VALUE 'ACKNOWLEDGED';
ALTER TYPE "RecipientStatus" ADD VALUE 'DELAYED';

-- AlterEnum (the data-protection supervisor's role)
ALTER TYPE "Role" ADD VALUE IF NOT EXISTS 'CCF';

-- AlterTable
ALTER TABLE "Notice" ADD COLUMN     "purgedAt" TIMESTAMPTZ(3),
ALTER COLUMN "responseDays" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Notification" ADD COLUMN     "detail" TEXT;

-- AlterTable
ALTER TABLE "Recipient" ADD COLUMN     "acknowledgedAt" TIMESTAMPTZ(3),
ADD COLUMN     "delayReason" TEXT,
ADD COLUMN     "delayedAt" TIMESTAMPTZ(3),
ADD COLUMN     "expectedBy" TIMESTAMPTZ(3),
ADD COLUMN     "final" BOOLEAN NOT NULL DEFAULT false;

-- Until now a recipient was RESPONDED only once its final answer had come.
UPDATE "Recipient" SET "final" = true WHERE "status" = 'RESPONDED';

-- CreateTable
CREATE TABLE "Blocking" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "since" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,
    "decisionDueAt" TIMESTAMPTZ(3) NOT NULL,
    "blockedByKeyId" UUID NOT NULL,
    "decidedAt" TIMESTAMPTZ(3),
    "outcome" "BlockingOutcome",
    "decisionReason" TEXT,

    CONSTRAINT "Blocking_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Renewal" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "requestedAt" TIMESTAMPTZ(3) NOT NULL,
    "reason" TEXT,
    "requestedByKeyId" UUID NOT NULL,
    "decidedAt" TIMESTAMPTZ(3),
    "decision" "RenewalDecision",
    "decisionReason" TEXT,
    "expiresAt" TIMESTAMPTZ(3),

    CONSTRAINT "Renewal_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AssetIdentifier" (
    "noticeId" UUID NOT NULL,
    "type" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "source" "IdentifierSource" NOT NULL,
    "recordedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AssetIdentifier_pkey" PRIMARY KEY ("noticeId","type","digest")
);

-- CreateTable
CREATE TABLE "AssetLink" (
    "noticeId" UUID NOT NULL,
    "otherNoticeId" UUID NOT NULL,
    "identifierType" TEXT NOT NULL,
    "detectedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AssetLink_pkey" PRIMARY KEY ("noticeId","otherNoticeId","identifierType")
);

-- CreateIndex
CREATE INDEX "Blocking_noticeId_since_idx" ON "Blocking"("noticeId", "since");

-- CreateIndex
CREATE INDEX "Renewal_noticeId_requestedAt_idx" ON "Renewal"("noticeId", "requestedAt");

-- CreateIndex
CREATE INDEX "AssetIdentifier_type_digest_idx" ON "AssetIdentifier"("type", "digest");

-- CreateIndex
CREATE INDEX "AssetLink_detectedAt_idx" ON "AssetLink"("detectedAt");

-- CreateIndex
CREATE INDEX "Notice_closedAt_idx" ON "Notice"("closedAt");

-- AddForeignKey
ALTER TABLE "Blocking" ADD CONSTRAINT "Blocking_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Renewal" ADD CONSTRAINT "Renewal_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
