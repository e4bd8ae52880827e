/**
 * The `sessions` row against the real engine (chdb): a session record written as its row and read
 * back with the select list every reader uses comes back as the same record (the table keeps no
 * intent or execution counts), with its revocation; an active one reads back active.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { migrate } from './index.js';
import { openTempChdb, type TempChdb } from '../test/infra/clickhouse-chdb.js';
import { insert } from './detection-stores.js';
import { recordOfRow, rowRevocation, sessionRow, SESSION_ROW_COLUMNS, type SessionRowRead } from './session-row.js';
import type { SessionRecord } from '../model/session.js';

const DB = 'warden_session_row_test';
let chdb: TempChdb;

before(async () => {
  chdb = await openTempChdb(DB);
  await migrate(chdb.handle, { ttlDays: 3650 });
});
after(async () => {
  await chdb?.cleanup();
});

async function readBack(id: string): Promise<SessionRowRead> {
  const rs = await chdb.handle.client.query({
    query: `SELECT ${SESSION_ROW_COLUMNS} FROM ${DB}.sessions FINAL WHERE tenant = 'acme' AND session_id = {id:String}`,
    query_params: { id },
    format: 'JSONEachRow',
  });
  const rows = await rs.json<SessionRowRead>();
  assert.equal(rows.length, 1);
  return rows[0]!;
}

const record = (id: string, revoked: SessionRecord['revoked']): SessionRecord => ({
  tenant: 'acme',
  id,
  agent_id: 'claude-code',
  user_id: 'alice',
  goal: 'rotate the logs',
  scope_allow: ['/var/log/app/**'],
  scope_deny: ['/var/log/app/audit/**'],
  environment: 'staging',
  first_seen_ms: Date.UTC(2026, 10, 21, 9, 0, 0, 123),
  last_seen_ms: Date.UTC(2026, 10, 21, 9, 5, 0, 456),
  revoked,
  counts: { events: 7, intents: 0, executions: 0, destructive: 2 },
});

describe('a session record as its sessions row (chdb)', () => {
  it('reads back as the record it was written from, revocation included', async () => {
    const revoked = { at: '2026-11-21T09:05:00.456000000Z', by: 'detector:destructive_burst', reason: 'burst', finding_id: 'f-1' };
    const written = record('s-revoked', revoked);
    await insert(chdb.handle, 'sessions', [sessionRow(written, 1)]);
    const row = await readBack('s-revoked');
    assert.equal(row.state, 'revoked');
    assert.deepEqual(rowRevocation(row), revoked);
    assert.deepEqual(recordOfRow(row, rowRevocation(row)), written);
  });

  it('an active session reads back active, with no revocation and the newest version kept', async () => {
    const first = record('s-active', null);
    await insert(chdb.handle, 'sessions', [sessionRow(first, 1), sessionRow({ ...first, goal: 'rotate the logs, then compress them' }, 2)]);
    const row = await readBack('s-active');
    assert.equal(row.state, 'active');
    assert.equal(row.revoked_ns, null);
    assert.equal(rowRevocation(row), null);
    assert.deepEqual(recordOfRow(row, null), { ...first, goal: 'rotate the logs, then compress them' });
  });
});
