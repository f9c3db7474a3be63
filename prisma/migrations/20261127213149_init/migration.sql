-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'REVIEWER', 'NCB');

-- CreateEnum
CREATE TYPE "NoticeKind" AS ENUM ('NOTICE', 'DIFFUSION');

-- CreateEnum
CREATE TYPE "NoticeStatus" AS ENUM ('SUBMITTED', 'UNDER_REVIEW', 'CLARIFICATION_REQUESTED', 'PUBLISHED', 'COMPLETED', 'EXPIRED', 'REJECTED', 'LAPSED', 'WITHDRAWN', 'CANCELLED');

-- CreateEnum
CREATE TYPE "RecipientStatus" AS ENUM ('PENDING', 'RESPONDED', 'OVERDUE');

-- CreateEnum
CREATE TYPE "ResponseOutcome" AS ENUM ('ASSETS_LOCATED', 'NO_ASSETS_FOUND', 'UNABLE_TO_ASSIST');

-- CreateEnum
CREATE TYPE "DecisionKind" AS ENUM ('APPROVE', 'REJECT', 'REQUEST_CLARIFICATION');

-- CreateEnum
CREATE TYPE "NotificationType" AS ENUM ('PUBLISHED', 'DECISION', 'RESPONSE_RECEIVED', 'REMINDER', 'OVERDUE', 'WITHDRAWN', 'CANCELLED');

-- CreateTable
CREATE TABLE "Country" (
    "code" CHAR(2) NOT NULL,
    "name" TEXT NOT NULL,

    CONSTRAINT "Country_pkey" PRIMARY KEY ("code")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" UUID NOT NULL,
    "hash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "country" CHAR(2),
    "label" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "revokedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "PilotSettings" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "participants" TEXT[],
    "quotaTotal" INTEGER NOT NULL,
    "recipientsLimitedToParticipants" BOOLEAN NOT NULL DEFAULT false,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "PilotSettings_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notice" (
    "id" UUID NOT NULL,
    "reference" TEXT,
    "kind" "NoticeKind" NOT NULL,
    "status" "NoticeStatus" NOT NULL,
    "requestingCountry" CHAR(2) NOT NULL,
    "createdByKeyId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "publishedAt" TIMESTAMPTZ(3),
    "expiresAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),
    "requestedRecipients" TEXT[],
    "purposes" TEXT[],
    "subject" JSONB NOT NULL,
    "offence" JSONB NOT NULL,
    "assetsSought" JSONB NOT NULL,
    "handlingCode" TEXT NOT NULL,
    "urgency" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "responseDays" INTEGER NOT NULL,
    "subjectKey" TEXT NOT NULL,
    "flags" TEXT[],
    "holdsQuota" BOOLEAN NOT NULL DEFAULT true,
    "firstDecisionAt" TIMESTAMPTZ(3),

    CONSTRAINT "Notice_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Recipient" (
    "noticeId" UUID NOT NULL,
    "country" CHAR(2) NOT NULL,
    "status" "RecipientStatus" NOT NULL DEFAULT 'PENDING',
    "dueAt" TIMESTAMPTZ(3) NOT NULL,
    "respondedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Recipient_pkey" PRIMARY KEY ("noticeId","country")
);

-- CreateTable
CREATE TABLE "Decision" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "decision" "DecisionKind" NOT NULL,
    "reason" TEXT,
    "grounds" TEXT[],
    "reviewerKeyId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Decision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Clarification" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "message" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "keyId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Clarification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Response" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "country" CHAR(2) NOT NULL,
    "outcome" "ResponseOutcome" NOT NULL,
    "final" BOOLEAN NOT NULL,
    "reason" TEXT,
    "handlingCode" TEXT NOT NULL,
    "assets" JSONB NOT NULL,
    "late" BOOLEAN NOT NULL,
    "keyId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Response_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LocatedAsset" (
    "id" UUID NOT NULL,
    "responseId" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "country" CHAR(2) NOT NULL,
    "category" TEXT NOT NULL,
    "currency" CHAR(3),
    "amount" DECIMAL(20,2),

    CONSTRAINT "LocatedAsset_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "seq" BIGSERIAL NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "country" CHAR(2) NOT NULL,
    "type" "NotificationType" NOT NULL,
    "noticeId" UUID NOT NULL,
    "reference" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "seq" BIGSERIAL NOT NULL,
    "id" UUID NOT NULL,
    "noticeId" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "type" TEXT NOT NULL,
    "actorRole" TEXT NOT NULL,
    "actorCountry" CHAR(2),
    "actorKeyId" TEXT,
    "data" JSONB NOT NULL,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "IdempotencyRecord" (
    "keyId" UUID NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "resourceId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "IdempotencyRecord_pkey" PRIMARY KEY ("keyId","scope","key")
);

-- CreateTable
CREATE TABLE "ReferenceCounter" (
    "prefix" TEXT NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "ReferenceCounter_pkey" PRIMARY KEY ("prefix","year")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hash_key" ON "ApiKey"("hash");

-- CreateIndex
CREATE UNIQUE INDEX "Notice_reference_key" ON "Notice"("reference");

-- CreateIndex
CREATE INDEX "Notice_requestingCountry_createdAt_idx" ON "Notice"("requestingCountry", "createdAt" DESC);

-- CreateIndex
CREATE INDEX "Notice_status_idx" ON "Notice"("status");

-- CreateIndex
CREATE INDEX "Notice_createdAt_id_idx" ON "Notice"("createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Notice_requestingCountry_subjectKey_idx" ON "Notice"("requestingCountry", "subjectKey");

-- CreateIndex
CREATE INDEX "Recipient_country_noticeId_idx" ON "Recipient"("country", "noticeId");

-- CreateIndex
CREATE INDEX "Decision_noticeId_at_idx" ON "Decision"("noticeId", "at");

-- CreateIndex
CREATE INDEX "Clarification_noticeId_at_idx" ON "Clarification"("noticeId", "at");

-- CreateIndex
CREATE INDEX "Response_noticeId_createdAt_idx" ON "Response"("noticeId", "createdAt");

-- CreateIndex
CREATE INDEX "Response_noticeId_country_idx" ON "Response"("noticeId", "country");

-- CreateIndex
CREATE INDEX "LocatedAsset_noticeId_idx" ON "LocatedAsset"("noticeId");

-- CreateIndex
CREATE INDEX "LocatedAsset_category_idx" ON "LocatedAsset"("category");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_dedupeKey_key" ON "Notification"("dedupeKey");

-- CreateIndex
CREATE INDEX "Notification_country_seq_idx" ON "Notification"("country", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "AuditEvent_id_key" ON "AuditEvent"("id");

-- CreateIndex
CREATE INDEX "AuditEvent_noticeId_seq_idx" ON "AuditEvent"("noticeId", "seq");

-- AddForeignKey
ALTER TABLE "Recipient" ADD CONSTRAINT "Recipient_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Decision" ADD CONSTRAINT "Decision_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Clarification" ADD CONSTRAINT "Clarification_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Response" ADD CONSTRAINT "Response_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LocatedAsset" ADD CONSTRAINT "LocatedAsset_responseId_fkey" FOREIGN KEY ("responseId") REFERENCES "Response"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
