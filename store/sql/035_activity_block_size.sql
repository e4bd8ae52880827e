-- Smaller compressed blocks for the activity tables (032), which the operator queries read a few
-- rows at a time by primary key: one session's rows (GET /sessions/:id), a page of sessions, a
-- page of sessions' matching targets. ClickHouse decompresses a whole block to read any row of
-- it, and the default blocks (64 KiB to 1 MiB) each hold many granules of these tables' small
-- granules (1024 and 256 rows): a read of fifty sessions spread over the key decompressed about
-- fifty such blocks per column and part, mostly rows it then dropped. Blocks of 4 to 16 KiB hold
-- about one granule each; on the operator-query benchmark the data on disk grew by under 3%.
-- Nothing a query answers changes: only how parts are written.
--
-- Parts written from now on (inserts and merges) take the setting. The parts already there are
-- rewritten once here (OPTIMIZE … FINAL; on these tables that also applies TTL deletes and
-- merges rows, neither of which changes what they hold: min, max, argMin and uniqExact states).
-- Placeholder {database} is substituted by the migration runner.
ALTER TABLE {database}.session_activity MODIFY SETTING min_compress_block_size = 4096, max_compress_block_size = 16384;

ALTER TABLE {database}.target_activity MODIFY SETTING min_compress_block_size = 4096, max_compress_block_size = 16384;

OPTIMIZE TABLE {database}.session_activity FINAL;

OPTIMIZE TABLE {database}.target_activity FINAL;
