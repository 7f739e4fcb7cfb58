-- Trigram operators for the name indexes below (pg_trgm is a trusted extension: the database's
-- owner may create it; it ships with Postgres, the embedded one included).
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateTable
CREATE TABLE "change_type_versions" (
    "type" TEXT NOT NULL,
    "version" BIGINT NOT NULL,

    CONSTRAINT "change_type_versions_pkey" PRIMARY KEY ("type")
);

-- Kept by the statements that write changes, whichever process runs them, in their own
-- transaction: a version is visible exactly when the change is. Statement triggers: one upsert
-- per type a page changed, not one per row.
CREATE FUNCTION bsg_change_type_versions() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "change_type_versions" ("type", "version")
    SELECT "type", max("seq") FROM new_events GROUP BY "type"
    ON CONFLICT ("type") DO UPDATE SET "version" = GREATEST("change_type_versions"."version", EXCLUDED."version");
  RETURN NULL;
END
$$;

CREATE TRIGGER "change_events_type_versions" AFTER INSERT ON "change_events"
  REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT EXECUTE FUNCTION bsg_change_type_versions();

-- Rejected items change without a change event: a statement that wrote any counts one up.
CREATE FUNCTION bsg_rejected_items_version() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "change_type_versions" ("type", "version") VALUES ('rejected_item', 1)
    ON CONFLICT ("type") DO UPDATE SET "version" = "change_type_versions"."version" + 1;
  RETURN NULL;
END
$$;

CREATE TRIGGER "rejected_items_version" AFTER INSERT OR UPDATE OR DELETE ON "rejected_items"
  FOR EACH STATEMENT EXECUTE FUNCTION bsg_rejected_items_version();

-- The types changed before this migration (retention may have pruned some: they start at 0).
INSERT INTO "change_type_versions" ("type", "version") SELECT "type", max("seq") FROM "change_events" GROUP BY "type";

-- CreateIndex
CREATE INDEX "contacts_name_trgm_idx" ON "contacts" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "contacts_email_trgm_idx" ON "contacts" USING GIN ("email" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "deals_name_trgm_idx" ON "deals" USING GIN ("name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "leads_organization_name_trgm_idx" ON "leads" USING GIN ("organization_name" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "leads_last_name_trgm_idx" ON "leads" USING GIN ("last_name" gin_trgm_ops);
