-- Amendments left under review by requests that ended before a decision lapse, as the request's
-- closing now makes them (a migration of its own: a new enum value is usable only once committed).
UPDATE "Amendment" a
SET "status" = 'LAPSED', "decidedAt" = n."closedAt"
FROM "Notice" n
WHERE a."noticeId" = n."id" AND a."status" = 'UNDER_REVIEW' AND n."status" IN ('COMPLETED', 'EXPIRED', 'WITHDRAWN', 'CANCELLED');
