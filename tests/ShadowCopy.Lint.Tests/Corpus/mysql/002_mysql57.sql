-- target: mysql 8.0.11
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
# MySQL before 8.0.12: every ADD COLUMN rebuilds the table (INPLACE, online but a full rebuild).
-- expect: require-lock-timeout, add-column-not-instant, require-algorithm-lock
ALTER TABLE orders ADD COLUMN note varchar(255) NULL;
-- expect: add-column-not-instant
ALTER TABLE orders ADD COLUMN note2 varchar(255) NULL, ALGORITHM=INPLACE, LOCK=NONE;
-- expect: drop-column, drop-column-not-instant, require-algorithm-lock
ALTER TABLE orders DROP COLUMN note;
-- expect: none
SET lock_wait_timeout = 10;
-- expect: add-column-not-instant, add-column-not-instant, require-algorithm-lock
ALTER TABLE `order items` ADD COLUMN `a` int NULL, ADD COLUMN `b``c` int NULL FIRST;
-- expect: none
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
-- expect: table-rebuild
/*!50100 ALTER TABLE orders ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE */;
-- expect: none
INSERT INTO settings (k, v) VALUES ('motd', 'it''s -- not a comment; and \' still string; DROP TABLE x');
-- expect: none
SELECT "DROP TABLE `x`; ALTER TABLE y DROP COLUMN z" AS s; # trailing hash comment
-- expect: prefer-bigint
CREATE TABLE IF NOT EXISTS audit (id INT AUTO_INCREMENT PRIMARY KEY, msg TEXT) ENGINE=InnoDB;
-- expect: none
ALTER TABLE audit ADD COLUMN at datetime NOT NULL;
-- expect: none
START TRANSACTION;
-- expect: transaction-nesting
START TRANSACTION;
-- expect: none
COMMIT;
-- expect: none
ALTER TABLE orders ALTER COLUMN status SET DEFAULT 'new', ALGORITHM=INSTANT;
-- expect: none
ALTER TABLE orders RENAME INDEX idx_a TO idx_status;
-- expect: none
ANALYZE TABLE orders;
