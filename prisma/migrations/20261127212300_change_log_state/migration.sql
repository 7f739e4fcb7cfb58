-- CreateTable
CREATE TABLE "change_log_state" (
    "id" INTEGER NOT NULL DEFAULT 1,
    "pruned_through_seq" BIGINT NOT NULL DEFAULT 0,
    "pruned_at" TIMESTAMPTZ(3),

    CONSTRAINT "change_log_state_pkey" PRIMARY KEY ("id")
);
