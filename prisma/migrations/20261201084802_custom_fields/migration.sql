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

-- A point in time: a string YYYY-MM-DD (midnight UTC) or YYYY-MM-DDThh:mm[:ss[.fraction]][Z|±hh:mm]
-- (UTC without an offset; fractions beyond microseconds are cut). Checked field by field, in
-- order, before anything is cast. It calls no function of ours: index builds run it with only
-- pg_catalog on the search path.
CREATE FUNCTION bsg_cf_time(v jsonb) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE
    WHEN m IS NULL THEN NULL
    WHEN m[1]::int < 1 OR m[2]::int NOT BETWEEN 1 AND 12 OR m[3]::int < 1 THEN NULL
    WHEN m[3]::int > extract(day FROM make_date(m[1]::int, m[2]::int, 1) + interval '1 month - 1 day') THEN NULL
    WHEN coalesce(m[4]::int, 0) > 23 OR coalesce(m[5]::int, 0) > 59 OR coalesce(m[6]::int, 0) > 59 THEN NULL
    WHEN m[8] IS NOT NULL AND m[8] <> 'Z' AND (substr(m[8], 2, 2)::int > 14 OR substr(m[8], 5, 2)::int > 59) THEN NULL
    ELSE (m[1] || '-' || m[2] || '-' || m[3] || ' ' || coalesce(m[4], '00') || ':' || coalesce(m[5], '00') || ':' || coalesce(m[6], '00')
          || coalesce('.' || left(m[7], 6), '') || CASE WHEN m[8] IS NULL OR m[8] = 'Z' THEN '+00:00' ELSE m[8] END)::timestamptz
  END
  FROM (SELECT CASE WHEN jsonb_typeof(v) = 'string' AND length(v #>> '{}') <= 40 THEN
    regexp_match(v #>> '{}', '^([0-9]{4})-([0-9]{2})-([0-9]{2})(?:T([0-9]{2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]{1,9}))?)?(Z|[+-][0-9]{2}:[0-9]{2})?)?$')
  END AS m) parsed
$$;

-- The text of a string, number or boolean (for ordering as text).
CREATE FUNCTION bsg_cf_text(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN jsonb_typeof(v) IN ('string', 'number', 'boolean') THEN v #>> '{}' END
$$;

-- What a value looks like, for discovery: number, date, datetime, string, bool,
-- multi_select_list (an array), address (an object); NULL for a JSON null.
CREATE FUNCTION bsg_cf_kind(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE SET search_path FROM CURRENT AS $$
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
