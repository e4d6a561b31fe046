-- target: postgres 10
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- expect: none
SET lock_timeout TO '2s';
-- expect: none
BEGIN;
-- expect: enum-add-value-in-transaction
ALTER TYPE order_status ADD VALUE 'refunded' AFTER 'paid';
-- expect: concurrently-in-transaction
CREATE INDEX CONCURRENTLY orders_status_idx ON orders (status);
-- expect: transaction-nesting
BEGIN;
-- expect: none
COMMIT;
-- expect: none
ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'void';
-- expect: add-column-default-rewrite
ALTER TABLE big ADD COLUMN flag boolean DEFAULT false;
-- expect: none
ALTER TABLE big ADD COLUMN note text;
-- expect: vacuum-full-or-cluster
VACUUM FULL big;
-- expect: none
VACUUM (VERBOSE, ANALYZE) big;
-- expect: vacuum-full-or-cluster
CLUSTER big USING big_pkey;
-- expect: reindex-non-concurrent
REINDEX TABLE big;
-- expect: refresh-matview-non-concurrent
REFRESH MATERIALIZED VIEW daily_totals;
-- expect: none
REFRESH MATERIALIZED VIEW CONCURRENTLY daily_totals;
-- expect: truncate-cascade
TRUNCATE TABLE customers CASCADE;
-- expect: domain-constraint
CREATE DOMAIN us_postal_code AS text CHECK (VALUE ~ '^\d{5}$');
-- expect: domain-constraint
ALTER DOMAIN us_postal_code ADD CONSTRAINT zip_len CHECK (char_length(VALUE) = 5);
-- expect: none
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.updated_at := now(); -- ALTER TABLE x DROP COLUMN y; is only text here
  RETURN NEW;
END;
$fn$;
-- expect: none
DO $$ BEGIN RAISE NOTICE 'DROP TABLE users; is a string'; END $$;
-- expect: none
ALTER TABLE "Quoted Table" ADD COLUMN "Weird ""Name""" text /* nested /* comment */ still comment */;
-- shadowcopy:ignore drop-column the column was never read since v2.3 (ticket OPS-118)
-- expect: none
ALTER TABLE big DROP COLUMN legacy_flags;
-- expect: drop-database
DROP SCHEMA reporting CASCADE;
