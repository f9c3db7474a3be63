-- AlterEnum
ALTER TYPE "NotificationType" ADD VALUE 'AMENDED';
ALTER TYPE "NotificationType" ADD VALUE 'AMENDMENT_DECIDED';

-- CreateEnum
CREATE TYPE "AmendmentStatus" AS ENUM ('UNDER_REVIEW', 'APPROVED', 'REJECTED');

-- CreateTable
CREATE TABLE "Amendment" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "status" "AmendmentStatus" NOT NULL DEFAULT 'UNDER_REVIEW',
    "reason" TEXT NOT NULL,
    "changes" JSONB NOT NULL,
    "flags" TEXT[],
    "approvedBy" UUID[],
    "requestedByKeyId" UUID NOT NULL,
    "submittedAt" TIMESTAMPTZ(3) NOT NULL,
    "decidedAt" TIMESTAMPTZ(3),
    "decisionReason" TEXT,
    "addedRecipients" TEXT[],

    CONSTRAINT "Amendment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Amendment_noticeId_submittedAt_idx" ON "Amendment"("noticeId", "submittedAt");

-- CreateIndex
CREATE INDEX "Amendment_status_idx" ON "Amendment"("status");

-- AddForeignKey
ALTER TABLE "Amendment" ADD CONSTRAINT "Amendment_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
