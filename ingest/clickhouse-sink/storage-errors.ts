/**
 * Maps what @clickhouse/client (HTTP) or the chdb connection throws onto Warden's two kinds of
 * failure. Unavailable — refused or reset connections, timeouts, a proxy's 5xx page, an
 * overloaded or read-only server, a closed client — becomes RetryableError('STORAGE_UNAVAILABLE').
 * An error ClickHouse reports about the statement or the data (unknown table, bad SQL, a value
 * that does not parse) becomes PermanentError('STORAGE_REJECTED') carrying the ClickHouse code
 * and type. Errors already mapped pass through unchanged.
 */
import { PermanentError, RetryableError, WardenError } from '../../lib/errors.js';

/** ClickHouse exception types that describe a passing condition of the server, not the query. */
const RETRYABLE_TYPES = new Set([
  'TIMEOUT_EXCEEDED',
  'SOCKET_TIMEOUT',
  'NETWORK_ERROR',
  'TOO_MANY_SIMULTANEOUS_QUERIES',
  'NO_FREE_CONNECTION',
  'ALL_CONNECTION_TRIES_FAILED',
  'MEMORY_LIMIT_EXCEEDED',
  'TOO_MANY_PARTS',
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
]);

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
    if (RETRYABLE_TYPES.has(ch.type)) {
      return new RetryableError('STORAGE_UNAVAILABLE', `ClickHouse ${operation}: ${ch.type}`, { cause: err, details });
    }
    return new PermanentError('STORAGE_REJECTED', `ClickHouse ${operation}: ${ch.type}: ${ch.message.trim()}`, {
      cause: err,
      details,
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
