-- One sender per country webhook instead of a workflow per delivery. Each delivery says when it is
-- owed an attempt; the sender holds a lease on its webhook while it drains them.
ALTER TABLE "Webhook" ADD COLUMN "senderId" UUID,
ADD COLUMN "senderUntil" TIMESTAMPTZ(3);

ALTER TABLE "WebhookDelivery" ADD COLUMN "nextAttemptAt" TIMESTAMPTZ(3),
ADD COLUMN "retryOnce" BOOLEAN NOT NULL DEFAULT false;

-- Every delivery still being tried passes to its country's sender now, including those a delivery
-- workflow was waiting on: such a workflow finds it handed over at its next attempt and ends.
UPDATE "WebhookDelivery" SET "nextAttemptAt" = "createdAt" WHERE "status" = 'PENDING';

DROP INDEX "WebhookDelivery_dispatchedAt_createdAt_idx";

ALTER TABLE "WebhookDelivery" DROP COLUMN "dispatchedAt";

CREATE INDEX "WebhookDelivery_country_nextAttemptAt_notificationSeq_idx" ON "WebhookDelivery"("country", "nextAttemptAt", "notificationSeq");
