-- CreateLogTable
CREATE TABLE "Sales Data"."_Order""Items_log" ("_shadowcopy_seq" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "region" integer, "we""ird col" text);

-- CreateTriggerFunction
CREATE FUNCTION "Sales Data"."_Order""Items_fn"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $shadowcopy$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "Sales Data"."_Order""Items_log" ("region", "we""ird col") VALUES (NEW."region", NEW."we""ird col");
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "Sales Data"."_Order""Items_log" ("region", "we""ird col") VALUES (OLD."region", OLD."we""ird col");
  ELSE
    INSERT INTO "Sales Data"."_Order""Items_log" ("region", "we""ird col") VALUES (NEW."region", NEW."we""ird col");
    IF (OLD."region", OLD."we""ird col") IS DISTINCT FROM (NEW."region", NEW."we""ird col") THEN
      INSERT INTO "Sales Data"."_Order""Items_log" ("region", "we""ird col") VALUES (OLD."region", OLD."we""ird col");
    END IF;
  END IF;
  RETURN NULL;
END
$shadowcopy$;

-- CreateTrigger
CREATE TRIGGER "_Order""Items_trg" AFTER INSERT OR UPDATE OR DELETE ON "Sales Data"."Order""Items" FOR EACH ROW EXECUTE FUNCTION "Sales Data"."_Order""Items_fn"();

-- DropTrigger(source)
DROP TRIGGER IF EXISTS "_Order""Items_trg" ON "Sales Data"."Order""Items";

-- CopyNextChunk(hasLower: false)
WITH c AS MATERIALIZED (SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s ORDER BY s."region", s."we""ird col" LIMIT $1), i AS (INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT "region", "we""ird col", "Note", "qty", "select" FROM c ON CONFLICT DO NOTHING RETURNING 1) SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "region"::text AS k0, "we""ird col"::text AS k1 FROM c ORDER BY "region" DESC, "we""ird col" DESC LIMIT 1) AS l ON true;

-- CopyNextChunk(hasLower: true)
WITH c AS MATERIALIZED (SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") > ($1::integer, $2::text) ORDER BY s."region", s."we""ird col" LIMIT $3), i AS (INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT "region", "we""ird col", "Note", "qty", "select" FROM c ON CONFLICT DO NOTHING RETURNING 1) SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "region"::text AS k0, "we""ird col"::text AS k1 FROM c ORDER BY "region" DESC, "we""ird col" DESC LIMIT 1) AS l ON true;

-- CopyNextChunkPlain(hasLower: false, skipPresent: false)
WITH i AS (INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s ORDER BY s."region", s."we""ird col" LIMIT $1 RETURNING "region", "we""ird col") SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "region"::text AS k0, "we""ird col"::text AS k1 FROM i ORDER BY "region" DESC, "we""ird col" DESC LIMIT 1) AS l ON true;

-- CopyNextChunkPlain(hasLower: true, skipPresent: false)
WITH i AS (INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") > ($1::integer, $2::text) ORDER BY s."region", s."we""ird col" LIMIT $3 RETURNING "region", "we""ird col") SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "region"::text AS k0, "we""ird col"::text AS k1 FROM i ORDER BY "region" DESC, "we""ird col" DESC LIMIT 1) AS l ON true;

-- CopyNextChunkPlain(hasLower: false, skipPresent: true)
WITH i AS (INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE NOT EXISTS (SELECT 1 FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") = (s."region", s."we""ird col")) ORDER BY s."region", s."we""ird col" LIMIT $1 RETURNING "region", "we""ird col") SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "region"::text AS k0, "we""ird col"::text AS k1 FROM i ORDER BY "region" DESC, "we""ird col" DESC LIMIT 1) AS l ON true;

-- CopyNextChunkPlain(hasLower: true, skipPresent: true)
WITH i AS (INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") > ($1::integer, $2::text) AND NOT EXISTS (SELECT 1 FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") = (s."region", s."we""ird col") AND (n."region", n."we""ird col") > ($1::integer, $2::text)) ORDER BY s."region", s."we""ird col" LIMIT $3 RETURNING "region", "we""ird col") SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "region"::text AS k0, "we""ird col"::text AS k1 FROM i ORDER BY "region" DESC, "we""ird col" DESC LIMIT 1) AS l ON true;

-- CopyRange(hasLower: False, hasUpper: False)
INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s ON CONFLICT DO NOTHING;

-- FirstShadowRow(hasLower: False, hasUpper: False)
SELECT 1 FROM "Sales Data"."_Order""Items_new" n ORDER BY n."region", n."we""ird col" LIMIT 1;

-- CopyRange(hasLower: True, hasUpper: False)
INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") > ($1::integer, $2::text) ON CONFLICT DO NOTHING;

-- FirstShadowRow(hasLower: True, hasUpper: False)
SELECT 1 FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") > ($1::integer, $2::text) ORDER BY n."region", n."we""ird col" LIMIT 1;

-- CopyRange(hasLower: False, hasUpper: True)
INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") <= ($1::integer, $2::text) ON CONFLICT DO NOTHING;

-- FirstShadowRow(hasLower: False, hasUpper: True)
SELECT 1 FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") <= ($1::integer, $2::text) ORDER BY n."region", n."we""ird col" LIMIT 1;

-- CopyRange(hasLower: True, hasUpper: True)
INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") > ($1::integer, $2::text) AND (s."region", s."we""ird col") <= ($3::integer, $4::text) ON CONFLICT DO NOTHING;

-- FirstShadowRow(hasLower: True, hasUpper: True)
SELECT 1 FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") > ($1::integer, $2::text) AND (n."region", n."we""ird col") <= ($3::integer, $4::text) ORDER BY n."region", n."we""ird col" LIMIT 1;

-- CopyRangePlain(hasLower: true, hasUpper: true, skipPresent: false)
INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") > ($1::integer, $2::text) AND (s."region", s."we""ird col") <= ($3::integer, $4::text);

-- CopyRangePlain(hasLower: true, hasUpper: true, skipPresent: true)
INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") > ($1::integer, $2::text) AND (s."region", s."we""ird col") <= ($3::integer, $4::text) AND NOT EXISTS (SELECT 1 FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") = (s."region", s."we""ird col") AND (n."region", n."we""ird col") > ($1::integer, $2::text) AND (n."region", n."we""ird col") <= ($3::integer, $4::text));

-- CopyRangePlain(hasLower: false, hasUpper: true, skipPresent: true)
INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") <= ($1::integer, $2::text) AND NOT EXISTS (SELECT 1 FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") = (s."region", s."we""ird col") AND (n."region", n."we""ird col") <= ($1::integer, $2::text));

-- DeleteShadowRange(hasLower: true, hasUpper: true)
DELETE FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") > ($1::integer, $2::text) AND (n."region", n."we""ird col") <= ($3::integer, $4::text);

-- CreateBatchTable
CREATE TEMP TABLE IF NOT EXISTS pg_temp."_shadowcopy_batch" ("region" integer, "we""ird col" text) ON COMMIT DELETE ROWS;

-- TakeBatch
WITH d AS (DELETE FROM "Sales Data"."_Order""Items_log" WHERE "_shadowcopy_seq" IN (SELECT "_shadowcopy_seq" FROM "Sales Data"."_Order""Items_log" ORDER BY "_shadowcopy_seq" LIMIT $1) RETURNING "region", "we""ird col"), i AS (INSERT INTO pg_temp."_shadowcopy_batch" ("region", "we""ird col") SELECT DISTINCT "region", "we""ird col" FROM d RETURNING 1) SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM i);

-- DeleteBatchFromShadow
DELETE FROM "Sales Data"."_Order""Items_new" n USING pg_temp."_shadowcopy_batch" b WHERE (n."region", n."we""ird col") = (b."region", b."we""ird col");

-- DeleteUniqueCollisions
DELETE FROM "Sales Data"."_Order""Items_new" n USING "Sales Data"."Order""Items" s JOIN pg_temp."_shadowcopy_batch" b ON (s."region", s."we""ird col") = (b."region", b."we""ird col") WHERE (n."note text", n."select") = (s."Note", s."select");

-- InsertBatchIntoShadow
INSERT INTO "Sales Data"."_Order""Items_new" ("region", "we""ird col", "note text", "qty", "select") OVERRIDING SYSTEM VALUE SELECT s."region", s."we""ird col", s."Note", s."qty", s."select" FROM "Sales Data"."Order""Items" s JOIN pg_temp."_shadowcopy_batch" b ON (s."region", s."we""ird col") = (b."region", b."we""ird col") ON CONFLICT DO NOTHING;

-- Backlog
SELECT coalesce(max("_shadowcopy_seq") - min("_shadowcopy_seq") + 1, 0) FROM "Sales Data"."_Order""Items_log";

-- SourceChecksum(hasLower: False, hasUpper: False)
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW(s."region"::bigint, s."we""ird col", s."Note", s."qty"::numeric(12,2), s."select"))), 0)), 0) FROM "Sales Data"."Order""Items" s;

-- ShadowChecksum(hasLower: False, hasUpper: False)
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW(n."region", n."we""ird col", n."note text", n."qty", n."select"))), 0)), 0) FROM "Sales Data"."_Order""Items_new" n;

-- SourceChecksum(hasLower: True, hasUpper: True)
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW(s."region"::bigint, s."we""ird col", s."Note", s."qty"::numeric(12,2), s."select"))), 0)), 0) FROM "Sales Data"."Order""Items" s WHERE (s."region", s."we""ird col") > ($1::integer, $2::text) AND (s."region", s."we""ird col") <= ($3::integer, $4::text);

-- ShadowChecksum(hasLower: True, hasUpper: True)
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW(n."region", n."we""ird col", n."note text", n."qty", n."select"))), 0)), 0) FROM "Sales Data"."_Order""Items_new" n WHERE (n."region", n."we""ird col") > ($1::integer, $2::text) AND (n."region", n."we""ird col") <= ($3::integer, $4::text);

