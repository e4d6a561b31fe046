-- target: mariadb 10.6
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- expect: require-lock-timeout, require-algorithm-lock
ALTER TABLE `shop`.`products` ADD COLUMN `weight_g` INT UNSIGNED NULL AFTER `sku`;
-- expect: none
SET STATEMENT lock_wait_timeout=5 FOR SELECT 1;
-- expect: none
SET SESSION lock_wait_timeout = 5;
-- expect: none
ALTER TABLE `shop`.`products` ADD COLUMN `color` VARCHAR(32) NULL, ALGORITHM=INSTANT;
-- expect: change-column-type
ALTER TABLE products MODIFY COLUMN `color` VARCHAR(64) NULL, ALGORITHM=INSTANT;
-- expect: add-not-null-column-without-default
ALTER TABLE products ADD COLUMN `stock` INT NOT NULL, ALGORITHM=INSTANT;
-- expect: drop-column, drop-column
ALTER TABLE products DROP COLUMN color, DROP COLUMN stock, ALGORITHM=INSTANT;
-- expect: rename-table
RENAME TABLE products TO catalog_items, product_tags TO catalog_item_tags;
-- expect: rename-table
ALTER TABLE catalog_items RENAME catalog;
-- expect: add-unique-constraint
ALTER TABLE catalog ADD UNIQUE INDEX uq_sku (sku), ALGORITHM=INPLACE, LOCK=NONE;
-- expect: none
ALTER TABLE catalog ADD INDEX idx_weight (weight_g), ALGORITHM=INPLACE, LOCK=NONE;
-- expect: add-fulltext-or-spatial-index
ALTER TABLE catalog ADD FULLTEXT INDEX ft_name (name), ALGORITHM=INPLACE;
-- expect: table-rebuild
ALTER TABLE catalog ENGINE=InnoDB, ALGORITHM=INPLACE, LOCK=NONE;
-- expect: table-rebuild
OPTIMIZE TABLE catalog;
-- expect: unbatched-backfill
UPDATE catalog SET weight_g = 0;
-- expect: none
UPDATE catalog SET weight_g = 0 WHERE id BETWEEN 1 AND 5000 AND weight_g IS NULL;
-- expect: none
BEGIN;
-- expect: transaction-nesting
BEGIN;
-- expect: none
ROLLBACK;
-- shadowcopy:ignore drop-table restored from backup 2024-05-01, verified empty
-- expect: none
DROP TABLE catalog_archive;
-- shadowcopy:ignore drop-table
-- expect: suppression-without-reason, drop-table
DROP TABLE catalog_archive2;
-- expect: none
CREATE TABLE catalog_audit LIKE catalog;
-- expect: none
ALTER TABLE catalog_audit ADD COLUMN changed_at DATETIME NOT NULL;
