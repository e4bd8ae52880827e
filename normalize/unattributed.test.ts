/**
 * Events without a session on the main-thread normalizer: each is kept and counted once, labelled
 * with its tenant, source and the attribute its mapping would have read the session from; an
 * event with a session, or a tool span that falls back to its trace, is not counted. Tenants past
 * the label bound are counted together. The worker's path is covered end to end in
 * test/e2e/events-without-session.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Metrics } from '../lib/metrics.js';
import { createNormalizer } from './normalizer.js';
import { loadMappingTables } from './mapping-load.js';
import { logRecord, realDeps, span } from './test-kit.js';
import { MAX_TENANT_LABELS, OTHER_TENANTS, sessionAttributesBySource, sessionHint } from './unattributed.js';

async function withoutSession(metrics: Metrics): Promise<Array<{ labels: Record<string, string | number>; value: number }>> {
  return (await metrics.withoutSession.get()).values.map(({ labels, value }) => ({ labels: { ...labels }, value }));
}

test('each event without a session is kept and counted once, by tenant, source and expected attribute', async () => {
  const metrics = new Metrics();
  const normalizer = createNormalizer({ ...realDeps(), metrics });
  const claude = { body: 'claude_code.tool_result', attributes: { tool_name: 'Bash', success: 'true' } };
  const events = normalizer.normalize(
    [
      logRecord(claude),
      logRecord(claude),
      logRecord({ ...claude, attributes: { ...claude.attributes, 'session.id': 'cc-1' } }),
      logRecord({ attributes: { 'event.name': 'codex.tool_result', tool_name: 'local_shell', arguments: 'ls' } }),
      logRecord({ attributes: { hook_event_name: 'PreToolUse', tool_name: 'Bash' } }),
      // A GenAI tool span without a conversation id is keyed by its trace, so it has a session.
      span({ attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash' } }),
    ],
    { tenant: 'acme' },
  );
  assert.equal(events.length, 6, 'every record is kept');
  assert.deepEqual(
    events.map((e) => [e.source, e.session_id]),
    [
      ['claude_code', ''],
      ['claude_code', ''],
      ['claude_code', 'cc-1'],
      ['codex', ''],
      ['hook', ''],
      ['otel', 'trace:0af7651916cd43dd8448eb211c80319c'],
    ],
  );
  const counted = await withoutSession(metrics);
  assert.deepEqual(
    counted.sort((a, b) => String(a.labels.source).localeCompare(String(b.labels.source))),
    [
      { labels: { tenant: 'acme', source: 'claude_code', expected_attribute: 'session.id' }, value: 2 },
      { labels: { tenant: 'acme', source: 'codex', expected_attribute: 'conversation.id' }, value: 1 },
      { labels: { tenant: 'acme', source: 'hook', expected_attribute: 'session_id' }, value: 1 },
    ],
  );
});

test('a normalizer without metrics (the gate) counts nothing; events with a session stay silent', async () => {
  const metrics = new Metrics();
  createNormalizer(realDeps()).normalize([logRecord({ body: 'claude_code.tool_result' })]);
  createNormalizer({ ...realDeps(), metrics }).normalize([logRecord({ body: 'claude_code.tool_result', attributes: { 'session.id': 's' } })]);
  assert.deepEqual(await withoutSession(metrics), []);
});

test('tenants past the label bound are counted together', async () => {
  const metrics = new Metrics();
  const normalizer = createNormalizer({ ...realDeps(), metrics });
  for (let i = 0; i < MAX_TENANT_LABELS + 5; i++) normalizer.normalize([logRecord({ body: 'claude_code.tool_result' })], { tenant: `t${i}` });
  const counted = await withoutSession(metrics);
  assert.equal(counted.length, MAX_TENANT_LABELS + 1);
  assert.deepEqual(counted.find((c) => c.labels.tenant === OTHER_TENANTS)?.value, 5);
  assert.equal(counted.reduce((n, c) => n + c.value, 0), MAX_TENANT_LABELS + 5, 'nothing lost');
});

test('the API side reads the same attributes per source from the mapping tables', () => {
  const bySource = sessionAttributesBySource(loadMappingTables());
  assert.deepEqual(bySource.get('claude_code')?.attributes, ['session.id', 'gen_ai.conversation.id', 'conversation.id']);
  assert.deepEqual(bySource.get('codex')?.attributes, ['conversation.id', 'session.id', 'gen_ai.conversation.id']);
  assert.deepEqual(bySource.get('hook')?.attributes, ['session_id', 'session.id', 'gen_ai.conversation.id', 'conversation.id']);
  assert.equal(sessionHint(bySource.get('hook')), 'set session_id (or session.id, gen_ai.conversation.id, conversation.id) on hook records');
  assert.match(sessionHint(bySource.get('vercel_ai')), /^set ai\.telemetry\.metadata\.sessionId .*; its tool spans without one are keyed by trace id$/);
});
