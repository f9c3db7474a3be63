-- CreateTable
CREATE TABLE "ConsoleSession" (
    "tokenHash" TEXT NOT NULL,
    "keyId" UUID NOT NULL,
    "csrfToken" TEXT NOT NULL,
    "language" TEXT NOT NULL,
    "timeZone" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ConsoleSession_pkey" PRIMARY KEY ("tokenHash")
);

-- CreateIndex
CREATE INDEX "ConsoleSession_expiresAt_idx" ON "ConsoleSession"("expiresAt");

-- CreateIndex
CREATE INDEX "ConsoleSession_keyId_idx" ON "ConsoleSession"("keyId");
