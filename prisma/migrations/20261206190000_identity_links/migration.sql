-- AlterTable
ALTER TABLE "ConsoleSession" ADD COLUMN     "idToken" TEXT;

-- CreateTable
CREATE TABLE "IdentityLink" (
    "userId" UUID NOT NULL,
    "issuer" TEXT NOT NULL,
    "subject" TEXT,
    "email" TEXT,
    "keyId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "IdentityLink_pkey" PRIMARY KEY ("userId")
);

-- CreateIndex
CREATE UNIQUE INDEX "IdentityLink_keyId_key" ON "IdentityLink"("keyId");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityLink_issuer_subject_key" ON "IdentityLink"("issuer", "subject");

-- CreateIndex
CREATE UNIQUE INDEX "IdentityLink_issuer_email_key" ON "IdentityLink"("issuer", "email");

-- AddForeignKey
ALTER TABLE "IdentityLink" ADD CONSTRAINT "IdentityLink_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IdentityLink" ADD CONSTRAINT "IdentityLink_keyId_fkey" FOREIGN KEY ("keyId") REFERENCES "ApiKey"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
