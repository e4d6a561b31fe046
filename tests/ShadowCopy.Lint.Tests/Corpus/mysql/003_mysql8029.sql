-- target: mysql 8.0.29
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- expect: none
SET SESSION lock_wait_timeout = 3;
-- expect: none
ALTER TABLE invoices ADD COLUMN due_on date NULL FIRST, ALGORITHM=INSTANT;
-- expect: drop-column
ALTER TABLE invoices DROP COLUMN legacy_ref, ALGORITHM=INSTANT;
-- expect: require-algorithm-lock
ALTER TABLE invoices ADD COLUMN memo text NULL AFTER due_on;
-- expect: change-column-type, require-algorithm-lock, set-not-null
ALTER TABLE invoices MODIFY amount DECIMAL(14,2) NOT NULL;
-- expect: add-primary-key, require-algorithm-lock
ALTER TABLE invoice_lines ADD PRIMARY KEY (invoice_id, line_no);
-- expect: none
ALTER TABLE invoices ALTER COLUMN memo DROP DEFAULT;
-- expect: none
ALTER TABLE invoices ALTER INDEX idx_due INVISIBLE;
-- expect: none
ALTER TABLE invoices RENAME INDEX idx_due TO idx_due_on;
-- expect: add-foreign-key
ALTER TABLE invoice_lines ADD CONSTRAINT fk_lines_invoice FOREIGN KEY (invoice_id) REFERENCES invoices (id) ON DELETE CASCADE, ALGORITHM=INPLACE;
-- expect: none
CREATE TABLE IF NOT EXISTS invoice_notes (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY, invoice_id BIGINT UNSIGNED NOT NULL, body TEXT NOT NULL, KEY idx_invoice (invoice_id));
-- expect: none
ALTER TABLE invoice_notes ADD COLUMN author_id BIGINT UNSIGNED NOT NULL AFTER invoice_id;
-- expect: none
INSERT INTO schema_migrations (version) VALUES ('20240101000000');
