-- Associated contacts are keyed by their id, as the Sync API names every object; the pair is a
-- reference (an update can move an association to another pair, and a pair can be linked
-- again by a new association while the old one is a tombstone). Rows stored from items that
-- came without an id get negative placeholder ids (Base's ids are positive), as new ones do.
-- Hand-edited from the generated migration: the placeholder step before the new key.

-- Placeholders for rows that came without an id
UPDATE "associated_contacts" AS t SET "id" = -p."n"
FROM (SELECT "deal_id", "contact_id", row_number() OVER (ORDER BY "deal_id", "contact_id") AS "n" FROM "associated_contacts" WHERE "id" IS NULL) AS p
WHERE t."id" IS NULL AND t."deal_id" = p."deal_id" AND t."contact_id" = p."contact_id";

-- DropIndex
DROP INDEX "associated_contacts_id_key";

-- AlterTable
ALTER TABLE "associated_contacts" DROP CONSTRAINT "associated_contacts_pkey",
ALTER COLUMN "deal_id" DROP NOT NULL,
ALTER COLUMN "contact_id" DROP NOT NULL,
ALTER COLUMN "id" SET NOT NULL,
ADD CONSTRAINT "associated_contacts_pkey" PRIMARY KEY ("id");

-- CreateIndex
CREATE INDEX "associated_contacts_deal_id_contact_id_idx" ON "associated_contacts"("deal_id", "contact_id");
