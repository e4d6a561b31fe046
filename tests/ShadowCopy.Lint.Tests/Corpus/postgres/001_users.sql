-- target: postgres 15
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- A typical Rails/Django-style history for a users table.
-- expect: none
SET lock_timeout = '3s';
-- expect: none
SET statement_timeout = '15min';
-- expect: prefer-text-over-varchar
CREATE TABLE user_audit (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email varchar(320) NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
-- expect: none
CREATE INDEX user_audit_created_at_idx ON user_audit (created_at);
-- expect: none
ALTER TABLE users ADD COLUMN last_seen timestamptz;
-- expect: none
ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;
-- expect: add-column-default-rewrite
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
-- expect: add-column-default-rewrite
ALTER TABLE users ADD COLUMN joined timestamptz NOT NULL DEFAULT clock_timestamp();
-- expect: none
ALTER TABLE users ADD COLUMN joined2 timestamptz NOT NULL DEFAULT CURRENT_TIMESTAMP;
-- expect: add-not-null-column-without-default
ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;
-- expect: create-index-non-concurrent
CREATE INDEX users_email_idx ON users (email);
-- expect: none
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_last_seen_idx ON users (last_seen);
-- expect: create-index-non-concurrent
CREATE UNIQUE INDEX users_email_key ON public.users USING btree (lower(email));
-- expect: drop-index-non-concurrent
DROP INDEX users_email_idx;
-- expect: none
DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;
-- expect: set-not-null
ALTER TABLE users ALTER COLUMN last_seen SET NOT NULL;
-- expect: none
ALTER TABLE users ADD CONSTRAINT users_last_seen_nn CHECK (last_seen IS NOT NULL) NOT VALID;
-- expect: none
ALTER TABLE users VALIDATE CONSTRAINT users_last_seen_nn;
-- expect: drop-not-null
ALTER TABLE users ALTER COLUMN email DROP NOT NULL;
-- expect: change-column-type
ALTER TABLE users ALTER COLUMN tenant_id TYPE integer;
-- expect: change-column-type, prefer-text-over-varchar
ALTER TABLE users ALTER COLUMN email TYPE varchar(500);
-- expect: change-column-type
ALTER TABLE users ALTER COLUMN email SET DATA TYPE text;
-- expect: change-column-type
ALTER TABLE users ALTER COLUMN created_at TYPE timestamptz USING created_at AT TIME ZONE 'UTC';
-- expect: rename-column
ALTER TABLE users RENAME COLUMN email TO email_address;
-- expect: rename-column
ALTER TABLE users RENAME last_seen TO seen_at;
-- expect: rename-table
ALTER TABLE users RENAME TO accounts;
-- expect: drop-column
ALTER TABLE accounts DROP COLUMN IF EXISTS joined2;
-- expect: drop-column, drop-column
ALTER TABLE accounts DROP COLUMN token, DROP COLUMN joined;
-- expect: none
ALTER TABLE accounts ALTER COLUMN active SET DEFAULT false;
-- expect: none
COMMENT ON COLUMN accounts.active IS 'soft-delete flag';
