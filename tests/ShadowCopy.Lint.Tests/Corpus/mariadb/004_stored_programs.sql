-- target: mariadb 10.11
-- shadowcopy:ignore-file expand-and-contract-together,data-and-schema-change this file is a catalogue of unrelated migrations, not one migration
-- expect: none
SET SESSION lock_wait_timeout = 5;
DELIMITER //
-- expect: none
CREATE TRIGGER orders_touch BEFORE UPDATE ON orders FOR EACH ROW
BEGIN
  SET NEW.updated_at = NOW(); -- not a statement boundary inside the body
  UPDATE order_stats SET touched = touched + 1;
END //
-- expect: none
CREATE PROCEDURE archive_orders(IN cutoff DATE)
BEGIN
  DELETE FROM orders_archive WHERE placed_at < cutoff;
  INSERT INTO orders_archive SELECT * FROM orders WHERE placed_at < cutoff;
END//
DELIMITER ;
-- expect: drop-column
ALTER TABLE orders DROP COLUMN legacy, ALGORITHM=INSTANT;
DELIMITER $$
-- expect: none
CREATE FUNCTION cents(amount DECIMAL(12,2)) RETURNS BIGINT DETERMINISTIC
BEGIN
  RETURN amount * 100;
END $$
DELIMITER ;
-- expect: unbatched-backfill
UPDATE orders SET currency = 'EUR';
