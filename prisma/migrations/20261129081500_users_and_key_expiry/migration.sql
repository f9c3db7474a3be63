-- AlterEnum
ALTER TYPE "Role" ADD VALUE IF NOT EXISTS 'CCF';

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "country" CHAR(2),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disabledAt" TIMESTAMPTZ(3),

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- Every key from before users existed becomes the one key of a user of its own (with the key's id),
-- named after its label or its role, with the key's role and country.
INSERT INTO "User" ("id", "name", "role", "country", "createdAt")
SELECT "id", COALESCE("label", "role"::text), "role", "country", "createdAt" FROM "ApiKey";

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "expiresAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastUsedAt" TIMESTAMPTZ(3),
ADD COLUMN     "userId" UUID;
UPDATE "ApiKey" SET "userId" = "id";
ALTER TABLE "ApiKey" ALTER COLUMN "userId" SET NOT NULL,
DROP COLUMN "country",
DROP COLUMN "role";

-- AlterTable: audit events name the user; those from before get the user their key became.
ALTER TABLE "AuditEvent" ADD COLUMN     "actorUserId" UUID;
ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_append_only";
UPDATE "AuditEvent" e SET "actorUserId" = k."userId" FROM "ApiKey" k WHERE e."actorKeyId" = k."id"::text;
ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_append_only";

-- CreateIndex
CREATE INDEX "User_role_disabledAt_idx" ON "User"("role", "disabledAt");

-- CreateIndex
CREATE INDEX "ApiKey_userId_idx" ON "ApiKey"("userId");

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
