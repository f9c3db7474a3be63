-- AlterEnum
ALTER TYPE "NotificationType" ADD VALUE 'EXPIRED';
ALTER TYPE "NotificationType" ADD VALUE 'DELETION_REMINDER';

-- CreateEnum
CREATE TYPE "OutcomeMeasure" AS ENUM ('FROZEN', 'SEIZED', 'CONFISCATED', 'RETURNED', 'MLA_SENT');

-- AlterTable
ALTER TABLE "Recipient" ADD COLUMN     "deletionConfirmationId" UUID,
ADD COLUMN     "deletionConfirmedAt" TIMESTAMPTZ(3),
ADD COLUMN     "deletionRemindedAt" TIMESTAMPTZ(3);

-- CreateTable
CREATE TABLE "Outcome" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "measure" "OutcomeMeasure" NOT NULL,
    "country" CHAR(2) NOT NULL,
    "amount" DECIMAL(20,2),
    "currency" CHAR(3),
    "date" DATE NOT NULL,
    "note" TEXT,
    "recordedByKeyId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Outcome_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Recipient_deletionConfirmationId_key" ON "Recipient"("deletionConfirmationId");

-- CreateIndex
CREATE INDEX "Outcome_noticeId_date_idx" ON "Outcome"("noticeId", "date");

-- AddForeignKey
ALTER TABLE "Outcome" ADD CONSTRAINT "Outcome_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
