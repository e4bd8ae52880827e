/**
 * Error mapping: what the client throws becomes RetryableError('STORAGE_UNAVAILABLE') or a
 * PermanentError. The unreachable-server cases talk to a real closed port over HTTP.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { PermanentError, RetryableError, WardenError } from '../lib/errors.js';
import { silentLogger } from '../lib/logger.js';
import { Metrics } from '../lib/metrics.js';
import { makeEvent } from '../test/infra/clickhouse-events.js';
import { ClickHouseAuditStore } from './audit-store.js';
import { createHandle, openClickHouse, type ClickHouseHandle } from './open-clickhouse.js';
import { isRowFault, mapStorageError } from './storage-errors.js';

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  assert.ok(address !== null && typeof address === 'object');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${address.port}`;
}

function isUnavailable(err: unknown): boolean {
  assert.ok(err instanceof RetryableError, `expected RetryableError, got ${String(err)}`);
  assert.equal(err.code, 'STORAGE_UNAVAILABLE');
  return true;
}

describe('mapStorageError', () => {
  it('maps ClickHouse statement errors to PermanentError with the ClickHouse code', () => {
    const err = mapStorageError(new ClickHouseError({ message: 'Unknown table x', code: '60', type: 'UNKNOWN_TABLE' }), 'insert');
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, 'STORAGE_REJECTED');
    assert.deepEqual(err.details, { operation: 'insert', clickhouse_code: 60, clickhouse_type: 'UNKNOWN_TABLE', fault: 'statement' });
    assert.equal(isRowFault(err), false, 'an unknown table is not the rows\' fault');
  });

  for (const type of ['TIMEOUT_EXCEEDED', 'MEMORY_LIMIT_EXCEEDED', 'TABLE_IS_READ_ONLY']) {
    it(`maps ${type} to RetryableError`, () => {
      assert.ok(isUnavailable(mapStorageError(new ClickHouseError({ message: 'm', code: '1', type }), 'insert')));
    });
  }

  // Messages as ClickHouse words them (code 252 for both).
  const PARTITION_LIMIT = "Too many partitions for single INSERT block (more than 100). The limit is controlled by 'max_partitions_per_insert_block' setting.";
  const MERGES_BEHIND = 'Too many parts (3001 with average size of 1.00 KiB) in table \'warden.audit_events\'. Merges are processing significantly slower than inserts';

  it('TOO_MANY_PARTS "too many partitions for single INSERT block" is permanent and the rows\' fault (a split insert succeeds)', () => {
    const err = mapStorageError(new ClickHouseError({ message: PARTITION_LIMIT, code: '252', type: 'TOO_MANY_PARTS' }), 'insert');
    assert.ok(err instanceof PermanentError);
    assert.equal(err.code, 'STORAGE_REJECTED');
    assert.equal(err.details.clickhouse_code, 252);
    assert.ok(isRowFault(err));
  });

  it('TOO_MANY_PARTS "merges are processing significantly slower than inserts" is retryable', () => {
    const err = mapStorageError(new ClickHouseError({ message: MERGES_BEHIND, code: '252', type: 'TOO_MANY_PARTS' }), 'insert');
    assert.ok(isUnavailable(err));
    assert.equal(isRowFault(err), false);
  });

  // Each data error code mapped as the rows' fault: permanent, isolated by splitting the insert.
  // (Codes as ClickHouse's errorCodeToName() names them; the mapping itself goes by type.)
  const ROW_FAULTS: Array<[string, string]> = [
    ['25', 'CANNOT_PARSE_ESCAPE_SEQUENCE'],
    ['27', 'CANNOT_PARSE_INPUT_ASSERTION_FAILED'],
    ['6', 'CANNOT_PARSE_TEXT'],
    ['38', 'CANNOT_PARSE_DATE'],
    ['41', 'CANNOT_PARSE_DATETIME'],
    ['72', 'CANNOT_PARSE_NUMBER'],
    ['117', 'INCORRECT_DATA'],
    ['130', 'CANNOT_READ_ARRAY_FROM_TEXT'],
    ['563', 'CANNOT_READ_MAP_FROM_TEXT'],
    ['69', 'ARGUMENT_OUT_OF_BOUND'],
    ['321', 'VALUE_IS_OUT_OF_RANGE_OF_DATA_TYPE'],
    ['407', 'DECIMAL_OVERFLOW'],
    ['349', 'CANNOT_INSERT_NULL_IN_ORDINARY_COLUMN'],
    ['131', 'TOO_LARGE_STRING_SIZE'],
    ['128', 'TOO_LARGE_ARRAY_SIZE'],
  ];
  for (const [code, type] of ROW_FAULTS) {
    it(`maps ${type} (${code}) to a permanent rows' fault`, () => {
      const err = mapStorageError(new ClickHouseError({ message: 'm', code, type }), 'insert');
      assert.ok(err instanceof PermanentError);
      assert.equal(err.details.clickhouse_code, Number(code));
      assert.ok(isRowFault(err));
    });
  }

  // Statement or schema errors: permanent, but no row is to blame.
  for (const [code, type] of [
    ['62', 'SYNTAX_ERROR'], ['81', 'UNKNOWN_DATABASE'], ['16', 'NO_SUCH_COLUMN_IN_TABLE'], ['497', 'ACCESS_DENIED'], ['516', 'AUTHENTICATION_FAILED'],
    ['53', 'TYPE_MISMATCH'], ['70', 'CANNOT_CONVERT_TYPE'], ['7', 'INCORRECT_NUMBER_OF_COLUMNS'],
  ] as const) {
    it(`maps ${type} (${code}) to a permanent statement fault`, () => {
      const err = mapStorageError(new ClickHouseError({ message: 'm', code, type }), 'insert');
      assert.ok(err instanceof PermanentError);
      assert.equal(err.details.fault, 'statement');
      assert.equal(isRowFault(err), false);
    });
  }

  // Each retryable type: the server's passing condition, not the query.
  for (const [code, type] of [
    ['159', 'TIMEOUT_EXCEEDED'], ['209', 'SOCKET_TIMEOUT'], ['210', 'NETWORK_ERROR'], ['202', 'TOO_MANY_SIMULTANEOUS_QUERIES'],
    ['203', 'NO_FREE_CONNECTION'], ['279', 'ALL_CONNECTION_TRIES_FAILED'], ['241', 'MEMORY_LIMIT_EXCEEDED'], ['242', 'TABLE_IS_READ_ONLY'],
    ['164', 'READONLY'], ['236', 'ABORTED'], ['394', 'QUERY_WAS_CANCELLED'], ['285', 'TOO_FEW_LIVE_REPLICAS'],
    ['319', 'UNKNOWN_STATUS_OF_INSERT'], ['999', 'KEEPER_EXCEPTION'], ['439', 'CANNOT_SCHEDULE_TASK'], ['745', 'SERVER_OVERLOADED'],
    ['3', 'UNEXPECTED_END_OF_FILE'], ['32', 'ATTEMPT_TO_READ_AFTER_EOF'],
  ] as const) {
    it(`maps ${type} (${code}) to RetryableError, not the rows' fault`, () => {
      const err = mapStorageError(new ClickHouseError({ message: 'm', code, type }), 'insert');
      assert.ok(isUnavailable(err));
      assert.equal(isRowFault(err), false);
    });
  }

  it('maps socket errors, timeouts and non-ClickHouse bodies to RetryableError', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const mapped = mapStorageError(reset, 'insert');
    assert.ok(isUnavailable(mapped));
    assert.equal(mapped.details.network_code, 'ECONNRESET');
    assert.ok(isUnavailable(mapStorageError(new Error('Timeout error.'), 'query')));
    assert.ok(isUnavailable(mapStorageError(new Error('<html>502 Bad Gateway</html>'), 'query')));
  });

  it('keeps programming errors permanent and passes mapped errors through', () => {
    assert.equal(mapStorageError(new TypeError('x is undefined'), 'insert').code, 'STORAGE_CLIENT_ERROR');
    const already = new WardenError('INVALID_EVENT', 'bad');
    assert.equal(mapStorageError(already, 'insert'), already);
  });
});

describe('unreachable server', () => {
  it('openClickHouse rejects with RetryableError STORAGE_UNAVAILABLE', async () => {
    const url = await closedPortUrl();
    await assert.rejects(openClickHouse({ url, dataPath: '', database: 'warden', logger: silentLogger }), isUnavailable);
  });

  it('insertEvents rejects with RetryableError STORAGE_UNAVAILABLE and counts the error', async () => {
    const client = createClient({ url: await closedPortUrl(), request_timeout: 5_000, log: { level: ClickHouseLogLevel.OFF } });
    const handle: ClickHouseHandle = createHandle(client, 'warden');
    const metrics = new Metrics();
    const store = new ClickHouseAuditStore(handle, { logger: silentLogger, metrics });
    try {
      await assert.rejects(store.insertEvents([makeEvent()]), isUnavailable);
      await assert.rejects(store.insertEvents([makeEvent()], { checkExisting: true }), isUnavailable);
      const { values } = await metrics.errors.get();
      assert.deepEqual(values.map((v) => [v.labels, v.value]), [[{ stage: 'clickhouse', code: 'STORAGE_UNAVAILABLE' }, 2]]);
    } finally {
      await handle.close();
    }
  });
});
