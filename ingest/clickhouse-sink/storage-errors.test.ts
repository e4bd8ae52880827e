/**
 * Error mapping: what the client throws becomes RetryableError('STORAGE_UNAVAILABLE') or a
 * PermanentError. The unreachable-server cases talk to a real closed port over HTTP.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { ClickHouseError, ClickHouseLogLevel, createClient } from '@clickhouse/client';
import { PermanentError, RetryableError, WardenError } from '../../lib/errors.js';
import { silentLogger } from '../../lib/logger.js';
import { Metrics } from '../../lib/metrics.js';
import { makeEvent } from '../../test/infra/clickhouse-events.js';
import { ClickHouseAuditStore } from './audit-store.js';
import { createHandle, openClickHouse, type ClickHouseHandle } from './open-clickhouse.js';
import { mapStorageError } from './storage-errors.js';

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
    assert.deepEqual(err.details, { operation: 'insert', clickhouse_code: 60, clickhouse_type: 'UNKNOWN_TABLE' });
  });

  for (const type of ['TIMEOUT_EXCEEDED', 'TOO_MANY_PARTS', 'MEMORY_LIMIT_EXCEEDED', 'TABLE_IS_READ_ONLY']) {
    it(`maps ${type} to RetryableError`, () => {
      assert.ok(isUnavailable(mapStorageError(new ClickHouseError({ message: 'm', code: '1', type }), 'insert')));
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
