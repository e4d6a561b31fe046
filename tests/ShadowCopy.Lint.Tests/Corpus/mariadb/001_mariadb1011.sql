-- target: mariadb 10.11
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- expect: none
SET SESSION lock_wait_timeout = 5;
-- expect: none
ALTER TABLE accounts ADD COLUMN middle_name varchar(64) NULL AFTER first_name, ALGORITHM=INSTANT;
-- expect: drop-column
ALTER TABLE accounts DROP COLUMN middle_name, ALGORITHM=INSTANT, LOCK=NONE;
-- expect: require-algorithm-lock
ALTER TABLE accounts ADD COLUMN score int NULL FIRST;
-- expect: change-column-type, require-algorithm-lock
ALTER TABLE accounts MODIFY score bigint NULL;
-- expect: change-column-type, set-not-null
ALTER TABLE accounts MODIFY first_name varchar(200) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE;
-- expect: add-not-null-column-without-default, require-algorithm-lock
ALTER TABLE accounts ADD COLUMN region char(2) NOT NULL;
-- expect: none
ALTER TABLE accounts ADD COLUMN region2 char(2) NOT NULL DEFAULT 'EU', ALGORITHM=INSTANT;
-- expect: add-stored-generated-column, require-algorithm-lock
ALTER TABLE accounts ADD COLUMN full_name varchar(200) AS (CONCAT(first_name, ' ', last_name)) PERSISTENT;
-- expect: none
ALTER TABLE accounts ADD COLUMN full_name_v varchar(200) AS (CONCAT(first_name, ' ', last_name)) VIRTUAL, ALGORITHM=INSTANT;
-- expect: add-auto-increment-column, add-primary-key, require-algorithm-lock
ALTER TABLE imports ADD COLUMN id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY FIRST;
-- expect: add-foreign-key
ALTER TABLE orders ADD FOREIGN KEY (account_id) REFERENCES accounts (id), ALGORITHM=INPLACE;
-- expect: add-unique-constraint
ALTER TABLE accounts ADD CONSTRAINT uq_email UNIQUE (email), ALGORITHM=INPLACE, LOCK=NONE;
-- expect: none
ALTER TABLE accounts ADD INDEX IF NOT EXISTS idx_region (region), ALGORITHM=NOCOPY, LOCK=NONE;
-- expect: none
ALTER TABLE accounts DROP INDEX IF EXISTS idx_region, ALGORITHM=INSTANT;
-- expect: add-fulltext-or-spatial-index, require-algorithm-lock
ALTER TABLE places ADD SPATIAL INDEX sp_geo (geo);
-- expect: convert-charset, algorithm-copy-or-lock
ALTER TABLE places CONVERT TO CHARACTER SET utf8mb4, ALGORITHM=COPY;
-- expect: algorithm-copy-or-lock, algorithm-copy-or-lock, change-column-type, set-not-null
ALTER TABLE places MODIFY name varchar(300) NOT NULL, ALGORITHM=COPY, LOCK=SHARED;
-- expect: table-rebuild
ALTER TABLE places FORCE, ALGORITHM=INPLACE, LOCK=NONE;
-- expect: table-rebuild
ALTER TABLE places ROW_FORMAT=DYNAMIC, ALGORITHM=INPLACE, LOCK=NONE;
-- expect: rename-column, change-column-type, set-not-null
ALTER TABLE places CHANGE name title varchar(300) NOT NULL, ALGORITHM=INSTANT;
-- expect: change-column-type, require-algorithm-lock, set-not-null
ALTER TABLE places CHANGE title title varchar(400) NOT NULL;
-- expect: rename-column
ALTER TABLE places RENAME COLUMN title TO label, ALGORITHM=INSTANT;
-- expect: drop-table
DROP TABLE IF EXISTS places_backup;
-- expect: unbatched-backfill
DELETE FROM sessions;
-- expect: none
DELETE FROM sessions WHERE expires_at < NOW() - INTERVAL 30 DAY LIMIT 10000;
-- expect: prefer-bigint
CREATE TABLE tags (id MEDIUMINT NOT NULL AUTO_INCREMENT PRIMARY KEY, name varchar(50) NOT NULL);
-- expect: none
ALTER TABLE tags ADD COLUMN slug varchar(60) NOT NULL;
-- expect: none
CREATE OR REPLACE TABLE tag_aliases (alias varchar(60) PRIMARY KEY, tag_id int NOT NULL);
