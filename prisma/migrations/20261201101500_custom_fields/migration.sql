-- CreateTable
CREATE TABLE "custom_fields" (
    "resource_type" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "objects" INTEGER NOT NULL DEFAULT 0,
    "value_types" TEXT[],
    "base_id" BIGINT,
    "definition" JSONB,
    "discovered_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "custom_fields_pkey" PRIMARY KEY ("resource_type","name")
);

-- CreateIndex
CREATE INDEX "contacts_custom_fields_idx" ON "contacts" USING GIN ("custom_fields" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "deals_custom_fields_idx" ON "deals" USING GIN ("custom_fields" jsonb_path_ops);

-- CreateIndex
CREATE INDEX "leads_custom_fields_idx" ON "leads" USING GIN ("custom_fields" jsonb_path_ops);

-- Custom field values read as typed values, by the same rules as src/store/custom-field-values.ts
-- (a test holds the two to agreeing). IMMUTABLE, so that expression indexes can use them: they
-- read no setting (a date-time without an offset is UTC, one with an offset names it, and only
-- ISO 8601 is read). They never raise, whatever a payload holds: a value that is not of the type
-- reads as NULL.

-- A number: a JSON number, or a string of digits with an optional minus and fraction (Base sends
-- numbers as strings).
CREATE FUNCTION bsg_cf_number(v jsonb) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'number' THEN (v #>> '{}')::numeric
    WHEN 'string' THEN CASE WHEN length(v #>> '{}') <= 1000 AND (v #>> '{}') ~ '^-?[0-9]+(\.[0-9]+)?$' THEN (v #>> '{}')::numeric END
  END
$$;

-- A point in time: a string YYYY-MM-DD (midnight UTC) or YYYY-MM-DDThh:mm[:ss[.ffffff]][Z|±hh:mm]
-- (UTC without an offset). The pattern checks every field's range, and a day past the 28th is
-- checked against its month, in order, before anything is built. One expression of immutable
-- parts only (no cast from text to timestamptz), calling no function of ours: Postgres inlines
-- it (a function it cannot inline costs ~15 µs a call), and index builds, which run it with only
-- pg_catalog on the search path, can too.
CREATE FUNCTION bsg_cf_time(v jsonb) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN jsonb_typeof(v) IS DISTINCT FROM 'string' THEN NULL
    WHEN (v #>> '{}') !~ '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?)?$' THEN NULL
    WHEN substr((v #>> '{}'), 1, 4) = '0000' THEN NULL
    WHEN substr((v #>> '{}'), 9, 2)::int > 28
      AND substr((v #>> '{}'), 9, 2)::int > extract(day FROM make_date(substr((v #>> '{}'), 1, 4)::int, substr((v #>> '{}'), 6, 2)::int, 1) + interval '1 month - 1 day') THEN NULL
    WHEN length(v #>> '{}') = 10 THEN make_timestamp(substr((v #>> '{}'), 1, 4)::int, substr((v #>> '{}'), 6, 2)::int, substr((v #>> '{}'), 9, 2)::int, 0, 0, 0) AT TIME ZONE interval '0'
    ELSE make_timestamp(substr((v #>> '{}'), 1, 4)::int, substr((v #>> '{}'), 6, 2)::int, substr((v #>> '{}'), 9, 2)::int, substr((v #>> '{}'), 12, 2)::int, substr((v #>> '{}'), 15, 2)::int,
           (CASE WHEN substr((v #>> '{}'), 17, 1) = ':' THEN substr((v #>> '{}'), 18, length(v #>> '{}') - 17 - (CASE WHEN right((v #>> '{}'), 1) = 'Z' THEN 1 WHEN substr((v #>> '{}'), length(v #>> '{}') - 5, 1) IN ('+', '-') THEN 6 ELSE 0 END))::float8 ELSE 0 END)) AT TIME ZONE (CASE WHEN substr((v #>> '{}'), length(v #>> '{}') - 5, 1) IN ('+', '-') THEN make_interval(hours => (CASE substr((v #>> '{}'), length(v #>> '{}') - 5, 1) WHEN '-' THEN -1 ELSE 1 END) * substr((v #>> '{}'), length(v #>> '{}') - 4, 2)::int, mins => (CASE substr((v #>> '{}'), length(v #>> '{}') - 5, 1) WHEN '-' THEN -1 ELSE 1 END) * substr((v #>> '{}'), length(v #>> '{}') - 1, 2)::int) ELSE interval '0' END)
  END
$$;

-- The text of a string, number or boolean (for ordering as text).
CREATE FUNCTION bsg_cf_text(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(v) IN ('string', 'number', 'boolean') THEN v #>> '{}' END
$$;

-- What a value looks like, for discovery: number, date, datetime, string, bool,
-- multi_select_list (an array), address (an object); NULL for a JSON null.
CREATE FUNCTION bsg_cf_kind(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'number' THEN 'number'
    WHEN 'boolean' THEN 'bool'
    WHEN 'array' THEN 'multi_select_list'
    WHEN 'object' THEN 'address'
    WHEN 'string' THEN CASE
      WHEN bsg_cf_number(v) IS NOT NULL THEN 'number'
      WHEN bsg_cf_time(v) IS NULL THEN 'string'
      WHEN length(v #>> '{}') = 10 THEN 'date'
      ELSE 'datetime' END
  END
$$;
