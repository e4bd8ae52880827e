-- Exit codes wider than Int32: a value past 2^31 was wrapped by the Int32 column (4294967297
-- was stored as 1). The normalizer hands over exact integers up to 2^53; Int64 holds them all.
-- Placeholder {database} is substituted by the migration runner.
ALTER TABLE {database}.audit_events MODIFY COLUMN exit_code Nullable(Int64);
