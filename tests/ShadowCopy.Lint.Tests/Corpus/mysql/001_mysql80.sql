-- target: mysql 8.0.35
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- expect: none
SET SESSION lock_wait_timeout = 5;
-- expect: prefer-bigint
CREATE TABLE `users` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `email` varchar(320) NOT NULL,
  `created_at` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (`id`),
  UNIQUE KEY `users_email` (`email`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
-- expect: none
ALTER TABLE `accounts` ADD COLUMN `last_login` datetime NULL, ALGORITHM=INSTANT;
-- expect: none
ALTER TABLE accounts ADD COLUMN nickname varchar(64) NULL AFTER email, ALGORITHM=INSTANT;
-- expect: require-algorithm-lock
ALTER TABLE accounts ADD COLUMN bio text;
-- expect: add-not-null-column-without-default, require-algorithm-lock
ALTER TABLE accounts ADD COLUMN tenant_id bigint NOT NULL;
-- expect: none
ALTER TABLE accounts ADD COLUMN plan varchar(16) NOT NULL DEFAULT 'free', ALGORITHM=INSTANT;
-- expect: add-auto-increment-column, add-unique-constraint, require-algorithm-lock
ALTER TABLE events ADD COLUMN seq BIGINT NOT NULL AUTO_INCREMENT UNIQUE;
-- expect: add-stored-generated-column, require-algorithm-lock
ALTER TABLE orders ADD COLUMN total_cents BIGINT AS (qty * price_cents) STORED;
-- expect: none
ALTER TABLE orders ADD COLUMN total_cents_v BIGINT AS (qty * price_cents) VIRTUAL, ALGORITHM=INSTANT;
-- expect: drop-column
ALTER TABLE accounts DROP COLUMN bio, ALGORITHM=INSTANT;
-- expect: change-column-type, require-algorithm-lock, set-not-null
ALTER TABLE accounts MODIFY COLUMN tenant_id int NOT NULL;
-- expect: change-column-type
ALTER TABLE accounts MODIFY nickname varchar(100) NULL, ALGORITHM=INPLACE, LOCK=NONE;
-- expect: change-column-type, rename-column, require-algorithm-lock
ALTER TABLE accounts CHANGE COLUMN nickname display_name varchar(100) NULL;
-- expect: rename-column
ALTER TABLE accounts RENAME COLUMN display_name TO handle, ALGORITHM=INSTANT;
-- expect: rename-table
RENAME TABLE accounts TO customers;
-- expect: rename-table
ALTER TABLE customers RENAME TO clients;
-- expect: none
ALTER TABLE clients ADD INDEX idx_created (created_at), ALGORITHM=INPLACE, LOCK=NONE;
-- expect: none
CREATE INDEX idx_email_plan ON clients (email, plan);
-- expect: none
DROP INDEX idx_email_plan ON clients;
-- expect: add-unique-constraint, require-algorithm-lock
ALTER TABLE clients ADD UNIQUE KEY uq_handle (handle);
-- expect: add-foreign-key, require-algorithm-lock
ALTER TABLE orders ADD CONSTRAINT fk_orders_client FOREIGN KEY (client_id) REFERENCES clients (id);
-- expect: add-fulltext-or-spatial-index, require-algorithm-lock
ALTER TABLE posts ADD FULLTEXT KEY ft_body (body);
-- expect: add-fulltext-or-spatial-index
CREATE FULLTEXT INDEX ft_title ON posts (title);
-- expect: convert-charset, require-algorithm-lock
ALTER TABLE posts CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_0900_ai_ci;
-- expect: table-rebuild, require-algorithm-lock
ALTER TABLE posts ENGINE=InnoDB;
-- expect: table-rebuild
OPTIMIZE TABLE posts;
-- expect: algorithm-copy-or-lock
ALTER TABLE posts ADD INDEX idx_author (author_id), ALGORITHM=COPY;
-- expect: algorithm-copy-or-lock
ALTER TABLE posts ADD INDEX idx_author2 (author_id), LOCK=EXCLUSIVE;
-- expect: drop-primary-key, require-algorithm-lock
ALTER TABLE sessions DROP PRIMARY KEY;
-- expect: drop-primary-key, add-primary-key, require-algorithm-lock
ALTER TABLE sessions DROP PRIMARY KEY, ADD PRIMARY KEY (id, user_id);
-- expect: unbatched-backfill
UPDATE clients SET plan = 'free';
-- expect: none
UPDATE clients SET plan = 'free' WHERE plan IS NULL LIMIT 5000;
-- expect: drop-table
DROP TABLE IF EXISTS sessions_old;
-- expect: none
DROP TABLE users;
-- expect: drop-database
DROP DATABASE analytics;
