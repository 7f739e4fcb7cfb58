-- CreateEnum
CREATE TYPE "change_kind" AS ENUM ('CREATED', 'UPDATED', 'DELETED');

-- CreateTable
CREATE TABLE "users" (
    "id" BIGINT NOT NULL,
    "name" TEXT,
    "email" TEXT,
    "role" TEXT,
    "status" TEXT,
    "confirmed" BOOLEAN,
    "timezone" TEXT,
    "phone_number" TEXT,
    "team_name" TEXT,
    "reports_to" BIGINT,
    "group" JSONB,
    "roles" JSONB,
    "base_deleted_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "leads" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "owner_id" BIGINT,
    "source_id" BIGINT,
    "unqualified_reason_id" BIGINT,
    "first_name" TEXT,
    "last_name" TEXT,
    "organization_name" TEXT,
    "status" TEXT,
    "title" TEXT,
    "description" TEXT,
    "industry" TEXT,
    "website" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "mobile" TEXT,
    "fax" TEXT,
    "twitter" TEXT,
    "facebook" TEXT,
    "linkedin" TEXT,
    "skype" TEXT,
    "address" JSONB,
    "tags" TEXT[],
    "custom_fields" JSONB,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "leads_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "contacts" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "owner_id" BIGINT,
    "contact_id" BIGINT,
    "parent_organization_id" BIGINT,
    "is_organization" BOOLEAN,
    "name" TEXT,
    "first_name" TEXT,
    "last_name" TEXT,
    "customer_status" TEXT,
    "prospect_status" TEXT,
    "title" TEXT,
    "description" TEXT,
    "industry" TEXT,
    "website" TEXT,
    "email" TEXT,
    "phone" TEXT,
    "mobile" TEXT,
    "fax" TEXT,
    "twitter" TEXT,
    "facebook" TEXT,
    "linkedin" TEXT,
    "skype" TEXT,
    "address" JSONB,
    "billing_address" JSONB,
    "shipping_address" JSONB,
    "tags" TEXT[],
    "custom_fields" JSONB,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "contacts_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deals" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "owner_id" BIGINT,
    "stage_id" BIGINT,
    "contact_id" BIGINT,
    "organization_id" BIGINT,
    "source_id" BIGINT,
    "loss_reason_id" BIGINT,
    "unqualified_reason_id" BIGINT,
    "last_stage_change_by_id" BIGINT,
    "name" TEXT,
    "value" DECIMAL,
    "currency" TEXT,
    "hot" BOOLEAN,
    "last_stage_change_at" TIMESTAMPTZ(3),
    "last_activity_at" TIMESTAMPTZ(3),
    "estimated_close_date" DATE,
    "customized_win_likelihood" INTEGER,
    "dropbox_email" TEXT,
    "added_at" TIMESTAMPTZ(3),
    "tags" TEXT[],
    "custom_fields" JSONB,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deals_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "pipelines" (
    "id" BIGINT NOT NULL,
    "name" TEXT,
    "disabled" BOOLEAN,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "pipelines_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "stages" (
    "id" BIGINT NOT NULL,
    "pipeline_id" BIGINT,
    "name" TEXT,
    "category" TEXT,
    "likelihood" INTEGER,
    "position" INTEGER,
    "active" BOOLEAN,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "stages_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "sources" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "name" TEXT,
    "resource_type" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "lead_sources" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "name" TEXT,
    "resource_type" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "lead_sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deal_sources" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "name" TEXT,
    "resource_type" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "deal_sources_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "loss_reasons" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "name" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "loss_reasons_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tags" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "name" TEXT,
    "resource_type" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tags_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "notes" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "resource_type" TEXT,
    "resource_id" BIGINT,
    "content" TEXT,
    "is_important" BOOLEAN,
    "type" TEXT,
    "tags" TEXT[],
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "notes_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "tasks" (
    "id" BIGINT NOT NULL,
    "creator_id" BIGINT,
    "owner_id" BIGINT,
    "resource_type" TEXT,
    "resource_id" BIGINT,
    "content" TEXT,
    "completed" BOOLEAN,
    "completed_at" TIMESTAMPTZ(3),
    "due_date" TIMESTAMPTZ(3),
    "remind_at" TIMESTAMPTZ(3),
    "overdue" BOOLEAN,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "tasks_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "associated_contacts" (
    "deal_id" BIGINT NOT NULL,
    "contact_id" BIGINT NOT NULL,
    "id" BIGINT,
    "role" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "associated_contacts_pkey" PRIMARY KEY ("deal_id","contact_id")
);

-- CreateTable
CREATE TABLE "products" (
    "id" BIGINT NOT NULL,
    "name" TEXT,
    "description" TEXT,
    "sku" TEXT,
    "active" BOOLEAN,
    "max_discount" DECIMAL,
    "max_markup" DECIMAL,
    "cost" DECIMAL,
    "cost_currency" TEXT,
    "prices" JSONB,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "products_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "orders" (
    "id" BIGINT NOT NULL,
    "deal_id" BIGINT,
    "discount" DECIMAL,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "orders_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "line_items" (
    "id" BIGINT NOT NULL,
    "order_id" BIGINT,
    "product_id" BIGINT,
    "value" DECIMAL,
    "variation" DECIMAL,
    "currency" TEXT,
    "quantity" INTEGER,
    "price" DECIMAL,
    "name" TEXT,
    "sku" TEXT,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "line_items_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "calls" (
    "id" BIGINT NOT NULL,
    "user_id" BIGINT,
    "outcome_id" BIGINT,
    "resource_type" TEXT,
    "resource_id" BIGINT,
    "associated_deal_ids" BIGINT[],
    "summary" TEXT,
    "recording_url" TEXT,
    "duration" INTEGER,
    "phone_number" TEXT,
    "incoming" BOOLEAN,
    "missed" BOOLEAN,
    "made_at" TIMESTAMPTZ(3),
    "external_id" TEXT,
    "created_at" TIMESTAMPTZ(3),
    "updated_at" TIMESTAMPTZ(3),
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "calls_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "other_resources" (
    "type" TEXT NOT NULL,
    "id" BIGINT NOT NULL,
    "raw" JSONB NOT NULL,
    "revision" BIGINT NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),
    "synced_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "other_resources_pkey" PRIMARY KEY ("type","id")
);

-- CreateTable
CREATE TABLE "change_events" (
    "seq" BIGSERIAL NOT NULL,
    "type" TEXT NOT NULL,
    "resource_id" BIGINT NOT NULL,
    "kind" "change_kind" NOT NULL,
    "revision" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "change_events_pkey" PRIMARY KEY ("seq")
);

-- CreateTable
CREATE TABLE "sync_state" (
    "device_uuid" UUID NOT NULL,
    "state" TEXT NOT NULL DEFAULT 'idle',
    "session_id" TEXT,
    "session_started_at" TIMESTAMPTZ(3),
    "session_finished_at" TIMESTAMPTZ(3),
    "last_success_at" TIMESTAMPTZ(3),
    "total_count" BIGINT,
    "count_left" BIGINT,
    "items_synced" BIGINT NOT NULL DEFAULT 0,
    "pages_fetched" BIGINT NOT NULL DEFAULT 0,
    "items_per_second" DOUBLE PRECISION,
    "last_error" TEXT,
    "last_error_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "sync_state_pkey" PRIMARY KEY ("device_uuid")
);

-- CreateTable
CREATE TABLE "failed_objects" (
    "type" TEXT NOT NULL,
    "id" BIGINT NOT NULL,
    "first_reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_reported_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "failed_objects_pkey" PRIMARY KEY ("type","id")
);

-- CreateIndex
CREATE INDEX "users_reports_to_idx" ON "users"("reports_to");

-- CreateIndex
CREATE INDEX "leads_creator_id_idx" ON "leads"("creator_id");

-- CreateIndex
CREATE INDEX "leads_owner_id_idx" ON "leads"("owner_id");

-- CreateIndex
CREATE INDEX "leads_source_id_idx" ON "leads"("source_id");

-- CreateIndex
CREATE INDEX "leads_unqualified_reason_id_idx" ON "leads"("unqualified_reason_id");

-- CreateIndex
CREATE INDEX "contacts_creator_id_idx" ON "contacts"("creator_id");

-- CreateIndex
CREATE INDEX "contacts_owner_id_idx" ON "contacts"("owner_id");

-- CreateIndex
CREATE INDEX "contacts_contact_id_idx" ON "contacts"("contact_id");

-- CreateIndex
CREATE INDEX "contacts_parent_organization_id_idx" ON "contacts"("parent_organization_id");

-- CreateIndex
CREATE INDEX "deals_creator_id_idx" ON "deals"("creator_id");

-- CreateIndex
CREATE INDEX "deals_owner_id_idx" ON "deals"("owner_id");

-- CreateIndex
CREATE INDEX "deals_last_stage_change_by_id_idx" ON "deals"("last_stage_change_by_id");

-- CreateIndex
CREATE INDEX "deals_stage_id_idx" ON "deals"("stage_id");

-- CreateIndex
CREATE INDEX "deals_contact_id_idx" ON "deals"("contact_id");

-- CreateIndex
CREATE INDEX "deals_organization_id_idx" ON "deals"("organization_id");

-- CreateIndex
CREATE INDEX "deals_source_id_idx" ON "deals"("source_id");

-- CreateIndex
CREATE INDEX "deals_loss_reason_id_idx" ON "deals"("loss_reason_id");

-- CreateIndex
CREATE INDEX "deals_unqualified_reason_id_idx" ON "deals"("unqualified_reason_id");

-- CreateIndex
CREATE INDEX "stages_pipeline_id_idx" ON "stages"("pipeline_id");

-- CreateIndex
CREATE INDEX "sources_creator_id_idx" ON "sources"("creator_id");

-- CreateIndex
CREATE INDEX "lead_sources_creator_id_idx" ON "lead_sources"("creator_id");

-- CreateIndex
CREATE INDEX "deal_sources_creator_id_idx" ON "deal_sources"("creator_id");

-- CreateIndex
CREATE INDEX "loss_reasons_creator_id_idx" ON "loss_reasons"("creator_id");

-- CreateIndex
CREATE INDEX "tags_creator_id_idx" ON "tags"("creator_id");

-- CreateIndex
CREATE INDEX "tags_resource_type_name_idx" ON "tags"("resource_type", "name");

-- CreateIndex
CREATE INDEX "notes_creator_id_idx" ON "notes"("creator_id");

-- CreateIndex
CREATE INDEX "notes_resource_type_resource_id_idx" ON "notes"("resource_type", "resource_id");

-- CreateIndex
CREATE INDEX "tasks_creator_id_idx" ON "tasks"("creator_id");

-- CreateIndex
CREATE INDEX "tasks_owner_id_idx" ON "tasks"("owner_id");

-- CreateIndex
CREATE INDEX "tasks_resource_type_resource_id_idx" ON "tasks"("resource_type", "resource_id");

-- CreateIndex
CREATE UNIQUE INDEX "associated_contacts_id_key" ON "associated_contacts"("id");

-- CreateIndex
CREATE INDEX "associated_contacts_contact_id_idx" ON "associated_contacts"("contact_id");

-- CreateIndex
CREATE INDEX "orders_deal_id_idx" ON "orders"("deal_id");

-- CreateIndex
CREATE INDEX "line_items_order_id_idx" ON "line_items"("order_id");

-- CreateIndex
CREATE INDEX "line_items_product_id_idx" ON "line_items"("product_id");

-- CreateIndex
CREATE INDEX "calls_user_id_idx" ON "calls"("user_id");

-- CreateIndex
CREATE INDEX "calls_outcome_id_idx" ON "calls"("outcome_id");

-- CreateIndex
CREATE INDEX "calls_resource_type_resource_id_idx" ON "calls"("resource_type", "resource_id");

-- CreateIndex
CREATE INDEX "change_events_type_resource_id_idx" ON "change_events"("type", "resource_id");

-- CreateIndex
CREATE INDEX "change_events_occurred_at_idx" ON "change_events"("occurred_at");
