-- Case numbers: `<requesting country>-<YYYY>-<NNNNN>`, gapless per country and year of submission.
-- Requests recorded before are numbered here in submission order, and each counter continues from
-- the last number given. Five digits at least; a sixth when a country passes 99,999 in a year.
ALTER TABLE "Notice" ADD COLUMN "caseNumber" TEXT;

UPDATE "Notice" n
SET "caseNumber" = numbered."requestingCountry" || '-' || numbered.year || '-' || lpad(numbered.nth::text, greatest(5, length(numbered.nth::text)), '0')
FROM (
  SELECT "id", "requestingCountry", EXTRACT(YEAR FROM "createdAt" AT TIME ZONE 'UTC')::int AS year,
         row_number() OVER (PARTITION BY "requestingCountry", EXTRACT(YEAR FROM "createdAt" AT TIME ZONE 'UTC') ORDER BY "createdAt", "id") AS nth
  FROM "Notice"
) numbered
WHERE numbered."id" = n."id";

ALTER TABLE "Notice" ALTER COLUMN "caseNumber" SET NOT NULL;

CREATE UNIQUE INDEX "Notice_caseNumber_key" ON "Notice"("caseNumber");

CREATE TABLE "CaseCounter" (
    "country" CHAR(2) NOT NULL,
    "year" INTEGER NOT NULL,
    "last" INTEGER NOT NULL,

    CONSTRAINT "CaseCounter_pkey" PRIMARY KEY ("country","year")
);

INSERT INTO "CaseCounter" ("country", "year", "last")
SELECT "requestingCountry", EXTRACT(YEAR FROM "createdAt" AT TIME ZONE 'UTC')::int, count(*)
FROM "Notice"
GROUP BY 1, 2;

-- Notifications (and the webhook deliveries built from them) name the request by its case number.
ALTER TABLE "Notification" ADD COLUMN "caseNumber" TEXT;

UPDATE "Notification" t SET "caseNumber" = n."caseNumber" FROM "Notice" n WHERE n."id" = t."noticeId";

ALTER TABLE "Notification" ALTER COLUMN "caseNumber" SET NOT NULL;

-- Search terms are written by the application (records/search.ts), which folds names as the
-- search folds queries; the requests recorded before are indexed when the system starts.
CREATE TABLE "SearchTerm" (
    "noticeId" UUID NOT NULL,
    "field" TEXT NOT NULL,
    "entry" INTEGER NOT NULL,
    "term" TEXT NOT NULL,

    CONSTRAINT "SearchTerm_pkey" PRIMARY KEY ("noticeId","field","entry","term")
);

CREATE INDEX "SearchTerm_term_idx" ON "SearchTerm"("term");
