/**
 * Maps what @clickhouse/client (HTTP) or the chdb connection throws onto Warden's two kinds of
 * failure, decided by the error's class (its ClickHouse type), never by guesswork on the text —
 * except TOO_MANY_PARTS, whose one code has two meanings told apart by the message.
 *
 * Unavailable — refused or reset connections, timeouts, a proxy's 5xx page, an overloaded or
 * read-only server, a closed client, merges behind inserts — becomes
 * RetryableError('STORAGE_UNAVAILABLE'): the same insert succeeds later.
 *
 * An error ClickHouse reports about the statement or the data becomes
 * PermanentError('STORAGE_REJECTED') carrying the ClickHouse code and type, and `details.fault`:
 * `rows` when the rows sent are at fault (a value that does not parse, too many day partitions
 * in one block) — a smaller insert without the bad rows succeeds, so the caller isolates them
 * (`isRowFault`); `statement` when the statement or schema is (unknown table, bad SQL) — every
 * row would fail alike, so nothing is blamed on the data. Errors already mapped pass through.
 */
import { PermanentError, RetryableError, WardenError } from '../lib/errors.js';

/** ClickHouse exception types that describe a passing condition of the server, not the query. */
const RETRYABLE_TYPES = new Set([
  'TIMEOUT_EXCEEDED',
  'SOCKET_TIMEOUT',
  'NETWORK_ERROR',
  'TOO_MANY_SIMULTANEOUS_QUERIES',
  'NO_FREE_CONNECTION',
  'ALL_CONNECTION_TRIES_FAILED',
  'MEMORY_LIMIT_EXCEEDED',
  'TABLE_IS_READ_ONLY',
  'READONLY',
  'ABORTED',
  'QUERY_WAS_CANCELLED',
  'TOO_FEW_LIVE_REPLICAS',
  'UNKNOWN_STATUS_OF_INSERT',
  'KEEPER_EXCEPTION',
  'CANNOT_SCHEDULE_TASK',
  'SERVER_OVERLOADED',
  'UNEXPECTED_END_OF_FILE',
  // The body ended early: cut in transit (the rows are whole lines when sent).
  'ATTEMPT_TO_READ_AFTER_EOF',
]);

/**
 * ClickHouse exception types that blame the rows of the insert: splitting the insert isolates
 * the rows, the rest is stored. Every `CANNOT_PARSE_*` type is one of these too. Types that
 * describe the statement against the schema (TYPE_MISMATCH, CANNOT_CONVERT_TYPE,
 * INCORRECT_NUMBER_OF_COLUMNS, NO_SUCH_COLUMN_IN_TABLE) are not: every row would fail alike, and
 * splitting would dead-letter the whole batch for a fault of the table.
 */
const ROW_FAULT_TYPES = new Set([
  'INCORRECT_DATA',
  'CANNOT_READ_ARRAY_FROM_TEXT',
  'CANNOT_READ_MAP_FROM_TEXT',
  'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE',
  'ARGUMENT_OUT_OF_BOUND',
  'DECIMAL_OVERFLOW',
  'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN',
  'TOO_LARGE_STRING_SIZE',
  'TOO_LARGE_ARRAY_SIZE',
]);

/**
 * TOO_MANY_PARTS (252) means two things. "Too many partitions for single INSERT block": this
 * block spans more day partitions than `max_partitions_per_insert_block` allows — the same block
 * fails every time, a split one succeeds (rows at fault). "Too many parts … Merges are
 * processing significantly slower than inserts": the table is busy — the same insert succeeds
 * once merges catch up (retryable).
 */
function isPartitionLimit(type: string, message: string): boolean {
  return type === 'TOO_MANY_PARTS' && /partitions for single insert block/i.test(message);
}

function isRetryableType(type: string, message: string): boolean {
  return RETRYABLE_TYPES.has(type) || (type === 'TOO_MANY_PARTS' && !isPartitionLimit(type, message));
}

function isRowFaultType(type: string, message: string): boolean {
  return type.startsWith('CANNOT_PARSE_') || ROW_FAULT_TYPES.has(type) || isPartitionLimit(type, message);
}

/** True when a smaller insert without some of the rows would succeed: the rows are at fault. */
export function isRowFault(err: unknown): boolean {
  return err instanceof PermanentError && err.code === 'STORAGE_REJECTED' && err.details.fault === 'rows';
}

interface ClickHouseLikeError {
  code: string;
  type: string;
  message: string;
}

/**
 * ClickHouseError is matched by shape: the chdb connection and the client each bundle their own
 * copy of the class, so `instanceof` is not reliable across them.
 */
function asClickHouseError(err: unknown): ClickHouseLikeError | undefined {
  if (!(err instanceof Error)) return undefined;
  const { code, type } = err as Error & { code?: unknown; type?: unknown };
  if (typeof code === 'string' && /^\d+$/.test(code) && typeof type === 'string' && /^[A-Z0-9_]+$/.test(type)) {
    return { code, type, message: err.message };
  }
  return undefined;
}

/** Programming mistakes on our side: retrying cannot help, and they must not be hidden as outages. */
function isLocalBug(err: unknown): boolean {
  return err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError;
}

export function mapStorageError(err: unknown, operation: string): WardenError {
  if (err instanceof WardenError) return err;
  const ch = asClickHouseError(err);
  if (ch) {
    const details = { operation, clickhouse_code: Number(ch.code), clickhouse_type: ch.type };
    if (isRetryableType(ch.type, ch.message)) {
      return new RetryableError('STORAGE_UNAVAILABLE', `ClickHouse ${operation}: ${ch.type}`, { cause: err, details });
    }
    const fault = isRowFaultType(ch.type, ch.message) ? 'rows' : 'statement';
    return new PermanentError('STORAGE_REJECTED', `ClickHouse ${operation}: ${ch.type}: ${ch.message.trim()}`, {
      cause: err,
      details: { ...details, fault },
    });
  }
  if (isLocalBug(err)) {
    return new PermanentError('STORAGE_CLIENT_ERROR', `ClickHouse ${operation}: ${(err as Error).message}`, {
      cause: err,
      details: { operation },
    });
  }
  // Everything else comes from the transport: socket errors (ECONNREFUSED, ECONNRESET, …), the
  // client's request timeout, a non-ClickHouse error body (proxy 5xx), a closed connection.
  const netCode = (err as { code?: unknown } | null)?.code;
  const message = err instanceof Error ? err.message : String(err);
  return new RetryableError('STORAGE_UNAVAILABLE', `ClickHouse ${operation}: unavailable: ${message}`, {
    cause: err,
    details: { operation, ...(typeof netCode === 'string' ? { network_code: netCode } : {}) },
  });
}

/** Runs `fn`, rethrowing any failure as a mapped WardenError. */
export async function withStorageErrors<T>(operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapStorageError(err, operation);
  }
}
