/**
 * `POST /api/v1/query` against a real embedded Warden (HTTP, in-process queue, chdb), with two
 * tenants ingested through the OTLP receiver and findings, sessions and revocations written to
 * ClickHouse: text after a `;` never runs; files, the environment, URLs and other databases cannot
 * be read; an admin token sees its own tenant only, however the query names or nests the tables,
 * and another tenant is read only with the cross_tenant role (counted); a slow query is stopped
 * at the time limit while ingest and reads go on; an abandoned one keeps its slot until then;
 * legitimate queries keep working.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { encodeOtlp } from '../../../decode/otlp/index.js';
import { QUERY_TABLES } from '../queries/query-guard.js';
import { runCli } from '../../../test/helpers/run-cli.js';
import { startTestWarden, type TestWarden } from '../../../test/helpers/test-warden.js';
import { toolSpan } from '../../../test/helpers/tool-span.js';
import { waitFor } from '../../../test/helpers/wait-for.js';

const TIMEOUT_MS = 2_000;
const TOKENS = {
  acmeIngest: 'wdn_test_query_acme_ingest_00',
  globexIngest: 'wdn_test_query_globex_ingest',
  acmeAdmin: 'wdn_test_query_acme_admin_000',
  globexReader: 'wdn_test_query_globex_reader',
  auditor: 'wdn_test_query_acme_auditor_0',
} as const;

let warden: TestWarden;
let dir: string;
let tokensFile: string;

interface Answer {
  status: number;
  body: { rows?: Array<Record<string, unknown>>; truncated?: boolean; error?: { code: string; message: string } };
  text: string;
}

async function query(sql: string, token: string = TOKENS.acmeAdmin, tenant?: string, signal?: AbortSignal): Promise<Answer> {
  const res = await fetch(`${warden.url}/api/v1/query${tenant ? `?tenant=${encodeURIComponent(tenant)}` : ''}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sql }),
    ...(signal ? { signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Answer['body'], text };
}

async function ok(sql: string, token?: string, tenant?: string): Promise<Array<Record<string, unknown>>> {
  const answer = await query(sql, token, tenant);
  assert.equal(answer.status, 200, `${sql}\n${answer.text}`);
  return answer.body.rows!;
}

async function ingest(token: string, sessionId: string, command: string): Promise<void> {
  const res = await fetch(`${warden.url}/v1/traces`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-protobuf' },
    body: encodeOtlp('traces', [toolSpan(sessionId, command)], 'otlp_proto'),
  });
  assert.equal(res.status, 200);
}

/** Rows as the writer's own connection sees them (all tenants). */
async function stored<T>(sql: string): Promise<T[]> {
  return (await warden.storage.client.query({ query: sql, format: 'JSONEachRow' })).json<T>();
}

async function insertRows(table: string, rows: Array<Record<string, unknown>>): Promise<void> {
  await warden.storage.client.insert({ table, values: rows, format: 'JSONEachRow' });
}

const AT = '2026-01-01 00:00:00.000000000';

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-query-'));
  tokensFile = path.join(dir, 'tokens.yaml');
  const entry = (name: string, token: string, tenant: string, roles: string[]) => `  - {name: ${name}, token: ${token}, tenant: ${tenant}, roles: [${roles.join(', ')}]}`;
  fs.writeFileSync(
    tokensFile,
    [
      'tokens:',
      entry('acme-ingest', TOKENS.acmeIngest, 'acme', ['ingest']),
      entry('globex-ingest', TOKENS.globexIngest, 'globex', ['ingest']),
      entry('acme-admin', TOKENS.acmeAdmin, 'acme', ['admin']),
      entry('globex-reader', TOKENS.globexReader, 'globex', ['read']),
      entry('auditor', TOKENS.auditor, 'acme', ['admin', 'cross_tenant']),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  warden = await startTestWarden({ WARDEN_TOKENS_FILE: tokensFile, WARDEN_QUERY_TIMEOUT_MS: String(TIMEOUT_MS), WARDEN_QUERY_MAX_ROWS: '50' });
  await ingest(TOKENS.acmeIngest, 'a-1', 'git status');
  await ingest(TOKENS.acmeIngest, 'a-1', 'rm -rf build');
  await ingest(TOKENS.globexIngest, 'g-1', 'cat /etc/shadow');
  await waitFor(() => stored<{ n: string }>('SELECT count() AS n FROM audit_events'), (r) => r[0]?.n === '3', { what: 'three ingested events' });
  const finding = (tenant: string, id: string, sessionId: string) => ({ id, tenant, session_id: sessionId, agent_id: 'agent', detector: 'destructive_burst', severity: 'high', score: 0.9, title: `${tenant} finding`, explanation: 'x', evidence: [], at: AT });
  await insertRows('findings', [finding('acme', 'f-acme', 'a-1'), finding('globex', 'f-globex', 'g-1')]);
  const session = (tenant: string, sessionId: string) => ({ tenant, session_id: sessionId, agent_id: 'agent', goal: `${tenant} goal`, state: 'active', first_seen: AT, last_seen: AT, event_count: 1, version: 1 });
  await insertRows('sessions', [session('acme', 'a-1'), session('globex', 'g-1')]);
  const revocation = (tenant: string, sessionId: string) => ({ tenant, session_id: sessionId, action: 'revoke', at: AT, by: 'operator:kim', reason: 'r', finding_id: '', prev_hash: '', hash: `h-${tenant}` });
  await insertRows('revocations', [revocation('acme', 'a-1'), revocation('globex', 'g-1')]);
});

after(async () => {
  await warden?.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('legitimate queries keep working', () => {
  test("the README's example, aggregations, a JOIN of findings with sessions, a CTE, UNION, the `by` column", async () => {
    const example = await ok('SELECT session_id, tool, command, action_class, destructive, targets FROM audit_events ORDER BY time DESC LIMIT 10');
    assert.deepEqual(example.map((r) => r.command).sort(), ['git status', 'rm -rf build']);
    assert.deepEqual(await ok("SELECT session_id, count() AS n, countIf(command LIKE 'rm %') AS rm FROM audit_events WHERE session_id = 'a-1' GROUP BY session_id"), [{ session_id: 'a-1', n: '2', rm: '1' }]);
    // (the detection engine writes session rows of its own, without a goal)
    assert.deepEqual(await ok("SELECT f.id, s.goal FROM findings AS f INNER JOIN sessions AS s ON f.session_id = s.session_id AND f.tenant = s.tenant WHERE s.goal != ''"), [{ id: 'f-acme', goal: 'acme goal' }]);
    assert.deepEqual(await ok("WITH d AS (SELECT session_id FROM audit_events WHERE command LIKE 'rm %') SELECT count() AS n FROM d"), [{ n: '1' }]);
    assert.deepEqual(await ok('SELECT x FROM (SELECT id AS x FROM findings UNION ALL SELECT `by` AS x FROM revocations) ORDER BY x'), [{ x: 'f-acme' }, { x: 'operator:kim' }]);
    assert.deepEqual(await ok('SELECT 1 + 1 AS two;'), [{ two: 2 }]);
    const many = await query('SELECT number FROM (SELECT arrayJoin(range(100)) AS number)');
    assert.equal(many.status, 200, many.text);
    assert.equal(many.body.rows!.length, 50);
    assert.equal(many.body.truncated, true);
  });
});

describe('text after a ; never runs, and only a SELECT does', () => {
  const pwned = (): string => path.join(dir, 'pwned.txt');
  /** Each write, chained after a SELECT and alone, then what shows it did not happen. */
  const cases: Array<{ name: string; write: () => string; nothingHappened: () => Promise<void> }> = [
    {
      name: 'INSERT … SELECT into findings (a forged critical finding for another tenant)',
      write: () => "INSERT INTO findings (id, tenant, session_id, detector, severity, title) SELECT 'forged', 'globex', 'g-1', 'forged', 'critical', 'forged finding'",
      nothingHappened: async () => {
        assert.deepEqual(await stored("SELECT id FROM findings WHERE id = 'forged'"), []);
        const globex = await fetch(`${warden.url}/api/v1/findings`, { headers: { authorization: `Bearer ${TOKENS.globexReader}` } });
        assert.deepEqual(((await globex.json()) as { findings: Array<{ id: string }> }).findings.map((f) => f.id), ['f-globex']);
      },
    },
    {
      name: 'INSERT INTO FUNCTION file(…) (a file written as the Warden user)',
      write: () => `INSERT INTO FUNCTION file('${pwned()}', 'LineAsString') SELECT 'pwned'`,
      nothingHappened: async () => assert.equal(fs.existsSync(pwned()), false),
    },
    {
      name: 'ALTER TABLE revocations DELETE',
      write: () => 'ALTER TABLE revocations DELETE WHERE 1 SETTINGS mutations_sync = 1',
      nothingHappened: async () => assert.deepEqual(await stored('SELECT tenant FROM revocations ORDER BY tenant'), [{ tenant: 'acme' }, { tenant: 'globex' }]),
    },
    {
      name: 'DROP TABLE',
      write: () => 'DROP TABLE revocations',
      nothingHappened: async () => assert.deepEqual(await stored('SELECT tenant FROM revocations ORDER BY tenant'), [{ tenant: 'acme' }, { tenant: 'globex' }]),
    },
    {
      name: 'SET readonly = 1 (every later insert would fail)',
      write: () => 'SET readonly = 1',
      nothingHappened: async () => {
        assert.deepEqual(await stored("SELECT getSetting('readonly') AS readonly"), [{ readonly: 0 }]);
        await ingest(TOKENS.acmeIngest, 'a-after-set', 'ls');
        await waitFor(() => stored<{ n: string }>("SELECT count() AS n FROM audit_events WHERE session_id = 'a-after-set'"), (r) => r[0]?.n === '1', { what: 'an event stored after SET readonly was tried' });
      },
    },
  ];
  for (const { name, write, nothingHappened } of cases) {
    test(`${name}: refused chained after a SELECT and alone, and nothing happened`, async () => {
      // The trailing SELECT takes the FORMAT clause a client appends, so the write itself parses.
      const chained = await query(`SELECT 1; ${write()}; SELECT 1`);
      const alone = await query(write());
      await nothingHappened();
      assert.equal(chained.status, 400, chained.text);
      assert.equal(chained.body.error?.code, 'QUERY_INVALID', chained.text);
      assert.equal(alone.status, 400, alone.text);
      assert.equal(alone.body.error?.code, 'QUERY_NOT_READ_ONLY', alone.text);
    });
  }

  test('INTO OUTFILE is refused', async () => {
    const answer = await query(`SELECT 'pwned' INTO OUTFILE '${pwned()}'`);
    assert.equal(fs.existsSync(pwned()), false);
    assert.equal(answer.body.error?.code, 'QUERY_NOT_READ_ONLY', answer.text);
  });
});

describe('files, the environment, URLs and other databases cannot be read', () => {
  test('table functions, file(), system tables and unlisted tables are refused with 403', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.end('reached\n');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const attempts: Array<[string, string]> = [
        [`SELECT * FROM file('${tokensFile}', 'LineAsString')`, 'QUERY_FORBIDDEN_TABLE'],
        [`SELECT file('${tokensFile}') AS tokens`, 'QUERY_FORBIDDEN_FUNCTION'],
        ["SELECT * FROM file('/proc/self/environ', 'RawBLOB')", 'QUERY_FORBIDDEN_TABLE'],
        ["SELECT file('/proc/self/environ')", 'QUERY_FORBIDDEN_FUNCTION'],
        [`SELECT * FROM url('http://127.0.0.1:${port}/', 'LineAsString')`, 'QUERY_FORBIDDEN_TABLE'],
        [`SELECT count() FROM audit_events WHERE session_id IN url('http://127.0.0.1:${port}/', 'LineAsString')`, 'QUERY_FORBIDDEN_TABLE'],
        [`SELECT * FROM audit_events AS a JOIN url('http://127.0.0.1:${port}/', 'LineAsString') AS u ON 1`, 'QUERY_FORBIDDEN_TABLE'],
        ["SELECT * FROM executable('id', 'LineAsString', 'x String')", 'QUERY_FORBIDDEN_TABLE'],
        ["SELECT * FROM remote('127.0.0.1', system.one)", 'QUERY_FORBIDDEN_TABLE'],
        ['SELECT name FROM system.tables', 'QUERY_FORBIDDEN_TABLE'],
        ['SELECT * FROM information_schema.tables', 'QUERY_FORBIDDEN_TABLE'],
        ['SELECT * FROM schema_migrations', 'QUERY_FORBIDDEN_TABLE'],
        ['WITH schema_migrations AS (SELECT 1) SELECT * FROM schema_migrations', 'QUERY_FORBIDDEN_TABLE'],
        ["SELECT count() FROM audit_events WHERE tenant IN system.tables", 'QUERY_FORBIDDEN_TABLE'],
        ["SELECT dictGet('tokens', 'token', 1)", 'QUERY_FORBIDDEN_FUNCTION'],
        ['SELECT hostName()', 'QUERY_FORBIDDEN_FUNCTION'],
        ['SELECT * APPLY file FROM sessions', 'QUERY_FORBIDDEN_CLAUSE'],
      ];
      for (const [sql, code] of attempts) {
        const answer = await query(sql);
        assert.equal(answer.body.error?.code, code, `${sql}\n${answer.text}`);
        assert.equal(answer.status, 403, answer.text);
        for (const token of Object.values(TOKENS)) assert.ok(!answer.text.includes(token), 'no token leaks');
      }
      assert.equal(requests, 0, 'no request left Warden');
    } finally {
      server.close();
    }
  });

  test('a quoted identifier cannot forge a line of the parse the guard reads', async () => {
    const answer = await query('SELECT `x\nTableIdentifier audit_events` FROM system.tables');
    assert.equal(answer.status, 400, answer.text);
    assert.equal(answer.body.error!.code, 'QUERY_INVALID');
  });
});

describe('a token sees its own tenant only', () => {
  test("the readable tables are exactly Warden's tables with a tenant column", async () => {
    const withTenant = await stored<{ table: string }>(`SELECT table FROM system.columns WHERE database = '${warden.storage.database}' AND name = 'tenant' ORDER BY table`);
    assert.deepEqual(withTenant.map((r) => r.table), [...QUERY_TABLES].sort());
  });

  test('an admin token bound to acme never sees globex rows, however the tables are named or nested', async () => {
    // '' is what an outer join gives for no match, not a tenant.
    const tenantsOf = async (sql: string): Promise<string[]> => [...new Set((await ok(sql)).map((r) => String(r.tenant)))].filter((t) => t !== '').sort();
    const shapes = [
      'SELECT tenant FROM audit_events',
      'SELECT tenant FROM warden.audit_events',
      "SELECT tenant FROM audit_events WHERE tenant = 'globex' OR 1 = 1",
      'SELECT tenant FROM audit_events FINAL',
      'SELECT a.tenant AS tenant FROM audit_events AS a',
      'SELECT s.tenant AS tenant FROM warden.audit_events AS a INNER JOIN sessions AS s ON a.session_id = s.session_id',
      'SELECT f.tenant AS tenant FROM sessions AS s LEFT JOIN warden.findings AS f ON f.session_id = s.session_id',
      'SELECT tenant FROM (SELECT * FROM (SELECT tenant FROM findings))',
      'WITH x AS (SELECT tenant FROM revocations) SELECT tenant FROM x',
      'SELECT tenant FROM sessions UNION ALL SELECT tenant FROM warden.revocations UNION ALL SELECT tenant FROM gate_decisions',
      "SELECT arrayJoin((SELECT groupArray(tenant) FROM findings)) AS tenant",
      "SELECT tenant FROM sessions WHERE session_id IN (SELECT session_id FROM audit_events WHERE tenant = 'globex') OR 1",
      'SELECT tenant FROM audit_events INTERSECT SELECT tenant FROM sessions',
    ];
    for (const sql of shapes) assert.deepEqual(await tenantsOf(sql), ['acme'], sql);
    assert.deepEqual(await ok("SELECT count() AS n FROM audit_events WHERE session_id = 'g-1'"), [{ n: '0' }]);
    assert.deepEqual(await ok('SELECT count() AS n FROM findings'), [{ n: '1' }]);
    assert.deepEqual(await ok('SELECT max(score) AS m, uniqExact(tenant) AS t FROM findings'), [{ m: 0.9, t: '1' }]);
  });

  test('the tenant filter cannot be lifted, and an admin token cannot name another tenant', async () => {
    for (const sql of [
      'SELECT tenant FROM audit_events SETTINGS additional_table_filters = {}',
      'SELECT tenant FROM (SELECT tenant FROM audit_events SETTINGS additional_table_filters = {})',
      'SELECT tenant FROM audit_events SETTINGS readonly = 0',
    ]) {
      const answer = await query(sql);
      assert.equal(answer.status, 403, answer.text);
      assert.equal(answer.body.error!.code, 'QUERY_FORBIDDEN_CLAUSE');
    }
    const named = await query('SELECT tenant FROM audit_events', TOKENS.acmeAdmin, 'globex');
    assert.equal(named.status, 403, named.text);
    assert.equal(named.body.error!.code, 'FORBIDDEN');
  });

  test('a cross_tenant token reads the tenant it names, each read counted; a quote in the name reads nothing', async () => {
    const counted = async (route: string): Promise<number> => (await warden.metrics.crossTenantReads.get()).values.find((v) => v.labels.route === route)?.value ?? 0;
    const before = await counted('/api/v1/query');
    assert.deepEqual(await ok('SELECT DISTINCT tenant FROM audit_events', TOKENS.auditor, 'globex'), [{ tenant: 'globex' }]);
    assert.deepEqual(await ok('SELECT DISTINCT tenant FROM audit_events', TOKENS.auditor), [{ tenant: 'acme' }]);
    assert.deepEqual(await ok('SELECT count() AS n FROM audit_events', TOKENS.auditor, "x' OR 1 OR '"), [{ n: '0' }]);
    assert.equal(await counted('/api/v1/query'), before + 2);
    const findings = await fetch(`${warden.url}/api/v1/findings?tenant=globex`, { headers: { authorization: `Bearer ${TOKENS.auditor}` } });
    assert.equal(findings.status, 200);
    assert.equal(await counted('/api/v1/findings'), 1);
  });
});

describe('warden query', () => {
  test('prints the rows of the token\'s tenant, another tenant with --tenant and a cross_tenant token, and refusals with their code', async () => {
    const env = { WARDEN_DATA_DIR: dir };
    const own = await runCli(['query', '--url', warden.url, '--token', TOKENS.acmeAdmin, "SELECT DISTINCT tenant FROM audit_events"], { env });
    assert.equal(own.code, 0, own.stderr);
    assert.equal(own.stdout, '{"tenant":"acme"}\n');
    const other = await runCli(['query', '--url', warden.url, '--token', TOKENS.auditor, '--tenant', 'globex', 'SELECT DISTINCT tenant FROM audit_events'], { env });
    assert.equal(other.code, 0, other.stderr);
    assert.equal(other.stdout, '{"tenant":"globex"}\n');
    const refused = await runCli(['query', '--url', warden.url, '--token', TOKENS.acmeAdmin, 'SELECT 1; DROP TABLE findings'], { env });
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^warden query: QUERY_INVALID: /);
    const cut = await runCli(['query', '--url', warden.url, '--token', TOKENS.acmeAdmin, 'SELECT arrayJoin(range(60)) AS n'], { env });
    assert.equal(cut.code, 0, cut.stderr);
    assert.equal(cut.stdout.trim().split('\n').length, 50);
    assert.match(cut.stderr, /only the first 50 rows/);
  });
});

describe('bounded', () => {
  test('a slow query is stopped at the time limit; ingest and reads complete while it runs', async () => {
    let settled = false;
    const slow = query('SELECT sleep(3)').finally(() => (settled = true));
    // While it runs, a second operator query is turned away rather than queued.
    const busy = await waitFor(() => query('SELECT 1'), (a) => a.status === 429, { what: 'the slow query to hold the slot' });
    assert.equal(busy.body.error!.code, 'QUERY_BUSY');
    await ingest(TOKENS.acmeIngest, 'a-during-slow', 'ls');
    await waitFor(() => stored<{ n: string }>("SELECT count() AS n FROM audit_events WHERE session_id = 'a-during-slow'"), (r) => r[0]?.n === '1', { what: 'an event stored while the slow query runs' });
    const sessions = await fetch(`${warden.url}/api/v1/sessions`, { headers: { authorization: `Bearer ${TOKENS.acmeAdmin}` } });
    assert.equal(sessions.status, 200);
    assert.equal(settled, false, 'ingest and the reads completed while the slow query still ran');
    const answer = await slow;
    assert.equal(answer.status, 504, answer.text);
    assert.equal(answer.body.error!.code, 'QUERY_TIMEOUT');
    assert.deepEqual(await ok('SELECT 1 AS one'), [{ one: 1 }]);
  });

  test('a query abandoned by its client keeps its slot only until the time limit', async () => {
    const client = new AbortController();
    const abandoned = query('SELECT sleep(3)', TOKENS.acmeAdmin, undefined, client.signal).catch((err: unknown) => err);
    await waitFor(() => query('SELECT 1'), (a) => a.status === 429, { what: 'the query to hold the slot' });
    client.abort();
    assert.ok((await abandoned) instanceof Error);
    // No pile-up behind it: still busy right after, free again once the limit has stopped it.
    assert.equal((await query('SELECT 1')).status, 429);
    await waitFor(() => query('SELECT 1'), (a) => a.status === 200, { timeoutMs: TIMEOUT_MS * 5, what: 'the slot to be freed by the time limit' });
  });
});
