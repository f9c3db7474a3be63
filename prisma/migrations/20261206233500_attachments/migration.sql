-- CreateTable
CREATE TABLE "Attachment" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" CHAR(64) NOT NULL,
    "content" BYTEA NOT NULL,
    "shared" BOOLEAN NOT NULL,
    "uploaderRole" TEXT NOT NULL,
    "uploaderCountry" CHAR(2),
    "uploaderUserId" UUID NOT NULL,
    "uploaderKeyId" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Attachment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Attachment_noticeId_at_idx" ON "Attachment"("noticeId", "at");

-- AddForeignKey
ALTER TABLE "Attachment" ADD CONSTRAINT "Attachment_noticeId_fkey" FOREIGN KEY ("noticeId") REFERENCES "Notice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
