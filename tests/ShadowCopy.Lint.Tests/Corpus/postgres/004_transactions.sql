-- target: postgres 15
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- expect: none
SET lock_timeout = '2s';
-- expect: none
BEGIN;
-- expect: none
ALTER TABLE accounts ADD COLUMN plan text;
-- expect: backfill-in-ddl-transaction, unbatched-backfill
UPDATE accounts SET plan = 'free';
-- expect: none
COMMIT;
-- expect: none
UPDATE accounts SET plan = 'free' WHERE id BETWEEN 1 AND 10000;
-- expect: none
BEGIN;
-- expect: none
CREATE TABLE plans (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL);
-- expect: none
ALTER TABLE plans ADD COLUMN price_cents bigint NOT NULL;
-- expect: none
UPDATE plans SET name = lower(name);
-- expect: none
COMMIT;
