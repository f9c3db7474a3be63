-- AlterEnum
ALTER TYPE "NotificationType" ADD VALUE 'MESSAGE';

-- AlterTable
ALTER TABLE "Clarification" ADD COLUMN "before" JSONB;

-- CreateTable
CREATE TABLE "Message" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "thread" TEXT NOT NULL,
    "authorRole" TEXT NOT NULL,
    "authorCountry" CHAR(2),
    "authorUserId" UUID NOT NULL,
    "authorKeyId" UUID NOT NULL,
    "authorName" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "handlingCode" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MessageRead" (
    "userId" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "readAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "MessageRead_pkey" PRIMARY KEY ("userId","noticeId")
);

-- CreateIndex
CREATE INDEX "Message_noticeId_thread_at_idx" ON "Message"("noticeId", "thread", "at");

-- CreateIndex
CREATE INDEX "Message_thread_at_idx" ON "Message"("thread", "at");

-- AddForeignKey
ALTER TABLE "Message" ADD CONSTRAINT "Message_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
