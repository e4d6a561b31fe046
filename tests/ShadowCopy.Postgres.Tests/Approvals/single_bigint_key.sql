-- CreateLogTable
CREATE TABLE "public"."_orders_log" ("_shadowcopy_seq" bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, "id" bigint);

-- CreateTriggerFunction
CREATE FUNCTION "public"."_orders_fn"() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $shadowcopy$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO "public"."_orders_log" ("id") VALUES (NEW."id");
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO "public"."_orders_log" ("id") VALUES (OLD."id");
  ELSE
    INSERT INTO "public"."_orders_log" ("id") VALUES (NEW."id");
    IF (OLD."id") IS DISTINCT FROM (NEW."id") THEN
      INSERT INTO "public"."_orders_log" ("id") VALUES (OLD."id");
    END IF;
  END IF;
  RETURN NULL;
END
$shadowcopy$;

-- CreateTrigger
CREATE TRIGGER "_orders_trg" AFTER INSERT OR UPDATE OR DELETE ON "public"."orders" FOR EACH ROW EXECUTE FUNCTION "public"."_orders_fn"();

-- DropTrigger(source)
DROP TRIGGER IF EXISTS "_orders_trg" ON "public"."orders";

-- CopyNextChunk(hasLower: false)
WITH c AS MATERIALIZED (SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s ORDER BY s."id" LIMIT $1), i AS (INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT "id", "customer_id", "email", "note" FROM c ON CONFLICT DO NOTHING RETURNING 1) SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "id"::text AS k0 FROM c ORDER BY "id" DESC LIMIT 1) AS l ON true;

-- CopyNextChunk(hasLower: true)
WITH c AS MATERIALIZED (SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") > ($1::bigint) ORDER BY s."id" LIMIT $2), i AS (INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT "id", "customer_id", "email", "note" FROM c ON CONFLICT DO NOTHING RETURNING 1) SELECT (SELECT count(*) FROM c), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "id"::text AS k0 FROM c ORDER BY "id" DESC LIMIT 1) AS l ON true;

-- CopyNextChunkPlain(hasLower: false, skipPresent: false)
WITH i AS (INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s ORDER BY s."id" LIMIT $1 RETURNING "id") SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "id"::text AS k0 FROM i ORDER BY "id" DESC LIMIT 1) AS l ON true;

-- CopyNextChunkPlain(hasLower: true, skipPresent: false)
WITH i AS (INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") > ($1::bigint) ORDER BY s."id" LIMIT $2 RETURNING "id") SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "id"::text AS k0 FROM i ORDER BY "id" DESC LIMIT 1) AS l ON true;

-- CopyNextChunkPlain(hasLower: false, skipPresent: true)
WITH i AS (INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE NOT EXISTS (SELECT 1 FROM "public"."_orders_new" n WHERE (n."id") = (s."id")) ORDER BY s."id" LIMIT $1 RETURNING "id") SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "id"::text AS k0 FROM i ORDER BY "id" DESC LIMIT 1) AS l ON true;

-- CopyNextChunkPlain(hasLower: true, skipPresent: true)
WITH i AS (INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") > ($1::bigint) AND NOT EXISTS (SELECT 1 FROM "public"."_orders_new" n WHERE (n."id") = (s."id") AND (n."id") > ($1::bigint)) ORDER BY s."id" LIMIT $2 RETURNING "id") SELECT (SELECT count(*) FROM i), (SELECT count(*) FROM i), l.* FROM (SELECT 1) AS one LEFT JOIN LATERAL (SELECT "id"::text AS k0 FROM i ORDER BY "id" DESC LIMIT 1) AS l ON true;

-- CopyRange(hasLower: False, hasUpper: False)
INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s ON CONFLICT DO NOTHING;

-- FirstShadowRow(hasLower: False, hasUpper: False)
SELECT 1 FROM "public"."_orders_new" n ORDER BY n."id" LIMIT 1;

-- CopyRange(hasLower: True, hasUpper: False)
INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") > ($1::bigint) ON CONFLICT DO NOTHING;

-- FirstShadowRow(hasLower: True, hasUpper: False)
SELECT 1 FROM "public"."_orders_new" n WHERE (n."id") > ($1::bigint) ORDER BY n."id" LIMIT 1;

-- CopyRange(hasLower: False, hasUpper: True)
INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") <= ($1::bigint) ON CONFLICT DO NOTHING;

-- FirstShadowRow(hasLower: False, hasUpper: True)
SELECT 1 FROM "public"."_orders_new" n WHERE (n."id") <= ($1::bigint) ORDER BY n."id" LIMIT 1;

-- CopyRange(hasLower: True, hasUpper: True)
INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") > ($1::bigint) AND (s."id") <= ($2::bigint) ON CONFLICT DO NOTHING;

-- FirstShadowRow(hasLower: True, hasUpper: True)
SELECT 1 FROM "public"."_orders_new" n WHERE (n."id") > ($1::bigint) AND (n."id") <= ($2::bigint) ORDER BY n."id" LIMIT 1;

-- CopyRangePlain(hasLower: true, hasUpper: true, skipPresent: false)
INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") > ($1::bigint) AND (s."id") <= ($2::bigint);

-- CopyRangePlain(hasLower: true, hasUpper: true, skipPresent: true)
INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") > ($1::bigint) AND (s."id") <= ($2::bigint) AND NOT EXISTS (SELECT 1 FROM "public"."_orders_new" n WHERE (n."id") = (s."id") AND (n."id") > ($1::bigint) AND (n."id") <= ($2::bigint));

-- CopyRangePlain(hasLower: false, hasUpper: true, skipPresent: true)
INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s WHERE (s."id") <= ($1::bigint) AND NOT EXISTS (SELECT 1 FROM "public"."_orders_new" n WHERE (n."id") = (s."id") AND (n."id") <= ($1::bigint));

-- DeleteShadowRange(hasLower: true, hasUpper: true)
DELETE FROM "public"."_orders_new" n WHERE (n."id") > ($1::bigint) AND (n."id") <= ($2::bigint);

-- CreateBatchTable
CREATE TEMP TABLE IF NOT EXISTS pg_temp."_shadowcopy_batch" ("id" bigint) ON COMMIT DELETE ROWS;

-- TakeBatch
WITH d AS (DELETE FROM "public"."_orders_log" WHERE "_shadowcopy_seq" IN (SELECT "_shadowcopy_seq" FROM "public"."_orders_log" ORDER BY "_shadowcopy_seq" LIMIT $1) RETURNING "id"), i AS (INSERT INTO pg_temp."_shadowcopy_batch" ("id") SELECT DISTINCT "id" FROM d RETURNING 1) SELECT (SELECT count(*) FROM d), (SELECT count(*) FROM i);

-- DeleteBatchFromShadow
DELETE FROM "public"."_orders_new" n USING pg_temp."_shadowcopy_batch" b WHERE (n."id") = (b."id");

-- DeleteUniqueCollisions
DELETE FROM "public"."_orders_new" n USING "public"."orders" s JOIN pg_temp."_shadowcopy_batch" b ON (s."id") = (b."id") WHERE (n."email") = (s."email");

-- InsertBatchIntoShadow
INSERT INTO "public"."_orders_new" ("id", "customer_id", "email", "note") OVERRIDING SYSTEM VALUE SELECT s."id", s."customer_id", s."email", s."note" FROM "public"."orders" s JOIN pg_temp."_shadowcopy_batch" b ON (s."id") = (b."id") ON CONFLICT DO NOTHING;

-- Backlog
SELECT coalesce(max("_shadowcopy_seq") - min("_shadowcopy_seq") + 1, 0) FROM "public"."_orders_log";

-- SourceChecksum(hasLower: False, hasUpper: False)
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW(s."id", s."customer_id", s."email", s."note"))), 0)), 0) FROM "public"."orders" s;

-- ShadowChecksum(hasLower: False, hasUpper: False)
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW(n."id", n."customer_id", n."email", n."note"))), 0)), 0) FROM "public"."_orders_new" n;

-- SourceChecksum(hasLower: True, hasUpper: True)
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW(s."id", s."customer_id", s."email", s."note"))), 0)), 0) FROM "public"."orders" s WHERE (s."id") > ($1::bigint) AND (s."id") <= ($2::bigint);

-- ShadowChecksum(hasLower: True, hasUpper: True)
SELECT count(*), coalesce(sum(pg_catalog.hash_record_extended(ROW(pg_catalog.record_send(ROW(n."id", n."customer_id", n."email", n."note"))), 0)), 0) FROM "public"."_orders_new" n WHERE (n."id") > ($1::bigint) AND (n."id") <= ($2::bigint);

