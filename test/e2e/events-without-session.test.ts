/**
 * End to end, embedded mode (worker-thread normalization, the default): log records of three
 * sources — Claude Code, Codex, a hook forwarder — each without the attribute its mapping reads
 * the session from, sent to the real OTLP/HTTP receiver with a tenant's ingest token, are stored
 * in ClickHouse with an empty session; `/metrics` counts them by tenant, source and expected
 * attribute (the worker's counts reach the main registry); `GET /api/v1/ingest/unattributed` and
 * `warden sessions` report them to that tenant, not to another. A record with a session is
 * stored under it and not counted.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { runCli } from '../helpers/run-cli.js';
import type { UnattributedAnswer } from '../../serve/api/queries/unattributed.js';

const INGEST = 'wdn_test_nosession_ingest_0000';
const READER = 'wdn_test_nosession_reader_0000';
const OTHER_READER = 'wdn_test_nosession_globex_0000';

type Attr = { key: string; value: { stringValue: string } };
const attrs = (o: Record<string, string>): Attr[] => Object.entries(o).map(([key, v]) => ({ key, value: { stringValue: v } }));

function logsRequest(scope: string, resource: Record<string, string>, records: Array<{ body?: string; attributes: Record<string, string> }>): unknown {
  const now = BigInt(Date.now()) * 1_000_000n;
  return {
    resourceLogs: [
      {
        resource: { attributes: attrs(resource) },
        scopeLogs: [
          {
            scope: { name: scope },
            logRecords: records.map((r, i) => ({
              timeUnixNano: String(now + BigInt(i)),
              ...(r.body ? { body: { stringValue: r.body } } : {}),
              attributes: attrs(r.attributes),
            })),
          },
        ],
      },
    ],
  };
}

async function post(request: unknown): Promise<void> {
  const response = await fetch(`${warden.url}/v1/logs`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${INGEST}` },
    body: JSON.stringify(request),
  });
  assert.equal(response.status, 200, await response.text());
}

async function rows(query: string): Promise<Array<Record<string, string>>> {
  const result = await warden.storage.client.query({ query, format: 'JSONEachRow' });
  return result.json();
}

async function api<T>(path: string, token: string): Promise<T> {
  const response = await fetch(`${warden.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, await response.clone().text());
  return (await response.json()) as T;
}

let warden: TestWarden;
before(async () => {
  warden = await startTestWarden({}, {
    tokens: [
      { name: 'agent', token: INGEST, tenant: 'acme', roles: ['ingest'] },
      { name: 'alice', token: READER, tenant: 'acme', roles: ['read'] },
      { name: 'bob', token: OTHER_READER, tenant: 'globex', roles: ['read'] },
    ],
  });
  // Claude Code: two tool results without `session.id`, one with it (that one must stay silent).
  await post(
    logsRequest('com.anthropic.claude_code.events', { 'service.name': 'claude-code' }, [
      { body: 'claude_code.tool_result', attributes: { 'event.name': 'tool_result', tool_name: 'Bash', success: 'true' } },
      { body: 'claude_code.tool_result', attributes: { 'event.name': 'tool_result', tool_name: 'Read', success: 'true' } },
      { body: 'claude_code.tool_result', attributes: { 'event.name': 'tool_result', tool_name: 'Bash', success: 'true', 'session.id': 'cc-with-session' } },
    ]),
  );
  // Codex: a tool result without `conversation.id`.
  await post(
    logsRequest('codex_otel', { 'service.name': 'codex_cli_rs' }, [
      { attributes: { 'event.name': 'codex.tool_result', tool_name: 'local_shell', arguments: 'ls -la', success: 'true' } },
    ]),
  );
  // A hook forwarder: a PreToolUse payload without `session_id`.
  await post(logsRequest('hook-forwarder', {}, [{ attributes: { hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: 'toolu_9' } }]));
  await waitFor(
    () => rows("SELECT count() AS n FROM audit_events WHERE tenant = 'acme'"),
    (r) => Number(r[0]?.n) === 5,
    { what: 'all five records stored' },
  );
});
after(async () => {
  await warden?.cleanup();
});

test('records without a session are stored, with an empty session', async () => {
  const stored = await rows("SELECT source, session_id, tool FROM audit_events WHERE tenant = 'acme' ORDER BY source, tool");
  assert.deepEqual(
    stored.map((r) => [r.source, r.session_id, r.tool]),
    [
      ['claude_code', '', 'Bash'],
      ['claude_code', 'cc-with-session', 'Bash'],
      ['claude_code', '', 'Read'],
      ['codex', '', 'local_shell'],
      ['hook', '', 'Bash'],
    ].sort((a, b) => a[0]!.localeCompare(b[0]!) || a[2]!.localeCompare(b[2]!)),
  );
});

test('/metrics counts them by tenant, source and expected attribute (the record with a session is not counted)', async () => {
  const text = await (await fetch(`${warden.url}/metrics`)).text();
  const lines = text.split('\n').filter((l) => l.startsWith('warden_events_without_session_total{'));
  assert.deepEqual(lines.sort(), [
    'warden_events_without_session_total{tenant="acme",source="claude_code",expected_attribute="session.id"} 2',
    'warden_events_without_session_total{tenant="acme",source="codex",expected_attribute="conversation.id"} 1',
    'warden_events_without_session_total{tenant="acme",source="hook",expected_attribute="session_id"} 1',
  ]);
});

test('the API reports them to their tenant, per source, with the attribute to set; another tenant sees none', async () => {
  const answer = await api<UnattributedAnswer>('/api/v1/ingest/unattributed?since=1h', READER);
  assert.equal(answer.tenant, 'acme');
  assert.equal(answer.events, 4);
  assert.deepEqual(
    answer.sources.map((s) => [s.source, s.expected_attribute, s.events]),
    [
      ['claude_code', 'session.id', 2],
      ['codex', 'conversation.id', 1],
      ['hook', 'session_id', 1],
    ],
  );
  const hook = answer.sources.find((s) => s.source === 'hook')!;
  assert.deepEqual(hook.session_attributes, ['session_id', 'session.id', 'gen_ai.conversation.id', 'conversation.id']);
  assert.match(hook.hint, /^set session_id /);
  assert.ok(hook.first_seen !== '' && hook.last_seen >= hook.first_seen);
  const other = await api<UnattributedAnswer>('/api/v1/ingest/unattributed', OTHER_READER);
  assert.deepEqual([other.tenant, other.events, other.sources], ['globex', 0, []]);
  // The session list is not polluted by an empty session.
  const sessions = await api<{ sessions: Array<{ id: string }> }>('/api/v1/sessions', READER);
  assert.deepEqual(sessions.sessions.map((s) => s.id), ['cc-with-session']);
});

test('warden sessions prints one line saying how many events had no session; silent when none', async () => {
  const run = await runCli(['sessions', '--url', warden.url, '--token', READER]);
  assert.equal(run.code, 0, run.stderr);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines[1]!, /^cc-with-session\s/);
  assert.equal(
    lines.at(-1),
    '4 events without a session in the last 24h (source claude_code, expected attribute session.id: 2; source codex, expected attribute conversation.id: 1; source hook, expected attribute session_id: 1)',
  );
  const none = await runCli(['sessions', '--url', warden.url, '--token', OTHER_READER]);
  assert.equal(none.code, 0, none.stderr);
  assert.equal(none.stdout, 'no sessions\n');
});
