-- AlterTable
ALTER TABLE "sync_state" ADD COLUMN     "last_error_code" TEXT,
ADD COLUMN     "last_progress_at" TIMESTAMPTZ(3),
ADD COLUMN     "leader_epoch" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "lease_expires_at" TIMESTAMPTZ(3);

-- Runs first in every page statement (src/store/page-sql.ts), before anything is written.
-- Writers of change events go one at a time, from before they draw their first seq until they
-- commit, so that seq order is commit order and a reader never skips a late commit. With an
-- epoch, the page commits only if its writer still leads the device: the row stays locked until
-- commit, and a newer syncer's epoch makes the statement fail (SQLSTATE BSG01) instead of land.
CREATE FUNCTION "bsg_page_begin"(device UUID, epoch BIGINT) RETURNS BOOLEAN
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('base-sync-gateway'), hashtext('change_events'));
  IF epoch IS NOT NULL THEN
    PERFORM 1 FROM "sync_state" WHERE "device_uuid" = device AND "leader_epoch" = epoch FOR NO KEY UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'device % is synced by a newer syncer than epoch %', device, epoch USING ERRCODE = 'BSG01';
    END IF;
  END IF;
  RETURN TRUE;
END
$$;
