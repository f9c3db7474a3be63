-- A reviewer's claim on a request under review, and the take-overs of claims with their reasons.
ALTER TABLE "Notice" ADD COLUMN "claimedByUserId" UUID,
ADD COLUMN "claimedAt" TIMESTAMPTZ(3);

CREATE TABLE "ClaimTakeOver" (
    "id" UUID NOT NULL,
    "noticeId" UUID NOT NULL,
    "fromUserId" UUID NOT NULL,
    "toUserId" UUID NOT NULL,
    "reason" TEXT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ClaimTakeOver_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "Notice_claimedByUserId_idx" ON "Notice"("claimedByUserId");

CREATE INDEX "ClaimTakeOver_fromUserId_at_idx" ON "ClaimTakeOver"("fromUserId", "at");

CREATE INDEX "ClaimTakeOver_noticeId_at_idx" ON "ClaimTakeOver"("noticeId", "at");

ALTER TABLE "Notice" ADD CONSTRAINT "Notice_claimedByUserId_fkey" FOREIGN KEY ("claimedByUserId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
