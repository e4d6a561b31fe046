-- target: mariadb 10.3.7
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- expect: require-lock-timeout, require-algorithm-lock
ALTER TABLE orders ADD COLUMN note varchar(255) NULL;
-- expect: add-column-not-instant, require-algorithm-lock
ALTER TABLE orders ADD COLUMN note_first varchar(255) NULL FIRST;
-- expect: add-column-not-instant
ALTER TABLE orders ADD COLUMN note_after varchar(255) NULL AFTER id, ALGORITHM=INPLACE, LOCK=NONE;
-- expect: drop-column, drop-column-not-instant
ALTER TABLE orders DROP COLUMN note_first, ALGORITHM=INPLACE, LOCK=NONE;
-- expect: none
ALTER TABLE orders ADD COLUMN note_last varchar(255) NULL, ALGORITHM=INSTANT;
-- expect: none
SET SESSION lock_wait_timeout = 5;
-- expect: none
ALTER TABLE orders ALTER COLUMN note SET DEFAULT '', ALGORITHM=INSTANT;
-- expect: none
ALTER TABLE orders COMMENT = 'customer orders', ALGORITHM=INSTANT;
-- expect: none
ALTER TABLE orders RENAME KEY idx_x TO idx_y;
-- expect: drop-primary-key, add-primary-key
ALTER TABLE orders DROP PRIMARY KEY, ADD PRIMARY KEY (id), ALGORITHM=INPLACE, LOCK=NONE;
