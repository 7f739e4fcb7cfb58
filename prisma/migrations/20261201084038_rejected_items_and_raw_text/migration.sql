-- AlterTable
ALTER TABLE "associated_contacts" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "calls" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "contacts" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "deal_sources" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "deals" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "lead_sources" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "leads" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "line_items" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "loss_reasons" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "notes" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "orders" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "other_resources" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "pipelines" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "products" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "sources" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "stages" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "tags" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "tasks" ADD COLUMN     "raw_text" TEXT;

-- AlterTable
ALTER TABLE "users" ADD COLUMN     "raw_text" TEXT;

-- CreateTable
CREATE TABLE "rejected_items" (
    "id" BIGSERIAL NOT NULL,
    "key" TEXT NOT NULL,
    "type" TEXT,
    "base_id" TEXT,
    "revision" BIGINT,
    "ack_key" TEXT,
    "error" TEXT NOT NULL,
    "raw_text" TEXT NOT NULL,
    "received_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "rejected_items_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "rejected_items_key_key" ON "rejected_items"("key");
