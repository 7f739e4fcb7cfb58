-- DropIndex
DROP INDEX "change_events_occurred_at_idx";

-- DropIndex
DROP INDEX "change_events_type_resource_id_idx";

-- CreateIndex
CREATE INDEX "change_events_occurred_at_idx" ON "change_events" USING BRIN ("occurred_at");
