-- A notification is unread until its country marks it read (POST /v1/notifications/read).
ALTER TABLE "Notification" ADD COLUMN "readAt" TIMESTAMPTZ(3);
