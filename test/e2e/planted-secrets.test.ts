/**
 * Planted secrets, end to end: every kind of secret in `planted-secrets.data.ts`, planted in every
 * input field an agent controls (resource attribute, span name, tool name, command, tool
 * arguments, status message, log body, hook payload, prompt, goal, scope, targets, log and span
 * event names, a tool call put to the gate through the hook endpoint) with a fresh value per
 * (kind × field), is sent over OTLP/HTTP (and the hook endpoint) to a real embedded
 * Warden with a webhook receiver and a debug logger writing to a buffer. Each kind gets its own
 * session, made to burst (so detectors find, the kill switch revokes and a webhook is signed and
 * sent) and to act after revocation. Then no planted value, nor its base64 form, may appear in:
 * any ClickHouse table of the database, any file under the data dir (chdb's parts are queried
 * instead), the log output, the webhook bodies, the API's answers (sessions, timeline, findings,
 * blast radius, targets, gate decisions), the gate's answers to the agent, or the incident report. The queue's write-ahead log holds request
 * bodies before redaction until they are stored, and rolls its segment away about a second after
 * everything in it is: the files are read once it has.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestWarden, type TestWarden } from '../helpers/test-warden.js';
import { waitFor } from '../helpers/wait-for.js';
import { encodeOtlp } from '../../decode/otlp/index.js';
import type { AnyValue, DecodedLogRecord, DecodedRecord, DecodedSpan } from '../../decode/otlp/records.js';
import { WebhookReceiver } from '../../respond/kill-switch/webhook-receiver.js';
import { generateWebhookSecret } from '../../config/webhook-endpoints.js';
import { createLogger } from '../../lib/logger.js';
import { logLineRedactor } from '../../normalize/redact/index.js';
import { renderIncidentMarkdown } from '../../serve/cli/incident-report.js';
import { SECRET_KINDS, type Planted } from './planted-secrets.data.js';

const FIELDS = [
  'resource attribute', 'span name', 'tool name', 'command', 'tool arguments', 'status message',
  'log body', 'hook payload', 'hook prompt', 'goal', 'scope', 'targets', 'log event name', 'span event name',
  'gate hook',
] as const;
type Field = (typeof FIELDS)[number];

interface Combination {
  kind: string;
  field: Field;
  session: string;
  planted: Planted;
}

const BURST_DIRS = ['/var/lib/postgresql', '/srv/backups', '/home/dev/.ssh', '/etc/nginx', '/opt/data'];

let warden: TestWarden;
let receiver: WebhookReceiver;
const logLines: string[] = [];

before(async () => {
  const secret = generateWebhookSecret();
  receiver = await WebhookReceiver.start({ secret });
  const logger = createLogger(logLineRedactor(), 'debug', { write: (line: string) => void logLines.push(line) });
  warden = await startTestWarden({ WARDEN_WEBHOOK_URL: receiver.url, WARDEN_WEBHOOK_SECRET: secret }, { logger });
});
after(async () => {
  await warden?.cleanup();
  await receiver?.stop();
});

let sequence = 0;
const nowNs = (): string => (BigInt(Date.now()) * 1_000_000n + BigInt(sequence)).toString();
const resourceOf = (session: string): Record<string, AnyValue> => ({ 'service.name': 'coding-agent', 'session.id': session });

function spanOf(session: string, over: Partial<DecodedSpan> & { attributes?: Record<string, AnyValue> }): DecodedSpan {
  sequence++;
  const t = nowNs();
  return {
    signal: 'traces',
    resource: resourceOf(session),
    scope: { name: 'planted-secrets', version: '1' },
    traceId: sequence.toString(16).padStart(32, '0'),
    spanId: sequence.toString(16).padStart(16, '0'),
    parentSpanId: '',
    name: 'execute_tool Bash',
    kind: 1,
    startTimeUnixNano: t,
    endTimeUnixNano: t,
    events: [],
    status: { code: 0, message: '' },
    ...over,
    attributes: { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'Bash', ...over.attributes },
  };
}

function logOf(session: string, over: Partial<DecodedLogRecord>): DecodedLogRecord {
  sequence++;
  const t = nowNs();
  return {
    signal: 'logs',
    resource: resourceOf(session),
    scope: { name: 'planted-secrets', version: '1' },
    timeUnixNano: t,
    observedTimeUnixNano: t,
    severityNumber: 9,
    severityText: 'INFO',
    body: null,
    attributes: {},
    traceId: '',
    spanId: '',
    eventName: '',
    ...over,
  };
}

const args = (value: Record<string, unknown>): string => JSON.stringify(value);

/** The records planting one kind's values, in the order a session would send them. */
function recordsFor(session: string, text: (field: Field) => string): DecodedRecord[] {
  const bash = (command: string, over: Partial<DecodedSpan> & { attributes?: Record<string, AnyValue> } = {}): DecodedSpan =>
    spanOf(session, { ...over, attributes: { 'gen_ai.tool.call.arguments': args({ command }), ...over.attributes } });
  return [
    spanOf(session, {
      name: 'warden.session.start',
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'warden.session.goal': text('goal'), 'warden.scope.allow': ['src/**', text('scope')] },
    }),
    logOf(session, { attributes: { hook_event_name: 'UserPromptSubmit', session_id: session, prompt: text('hook prompt') } }),
    spanOf(session, { resource: { ...resourceOf(session), 'deployment.note': text('resource attribute') }, attributes: { 'gen_ai.tool.call.arguments': args({ command: 'git status' }) } }),
    bash('ls -la', { name: text('span name') }),
    bash('git diff --stat', { attributes: { 'gen_ai.tool.name': text('tool name') } }),
    spanOf(session, { attributes: { 'gen_ai.tool.name': 'Write', 'gen_ai.tool.call.arguments': args({ file_path: 'config/app.env', content: text('tool arguments') }) } }),
    bash('npm test', { status: { code: 2, message: text('status message') } }),
    bash('cat README.md', { attributes: { 'warden.action.targets': [text('targets')] } }),
    bash('make build', { events: [{ name: text('span event name'), timeUnixNano: nowNs(), attributes: {} }] }),
    logOf(session, { body: text('log body') }),
    logOf(session, { eventName: text('log event name'), attributes: { 'event.domain': 'agent' } }),
    logOf(session, {
      body: JSON.stringify({ hook_event_name: 'PreToolUse', session_id: session, tool_name: 'Bash', tool_use_id: `toolu_${sequence}`, tool_input: { command: text('hook payload') }, cwd: '/home/dev/repo' }),
    }),
    // The burst: destructive commands carrying the command field's secret → findings, revocation, webhook.
    ...BURST_DIRS.map((dir) => spanOf(session, { attributes: { 'warden.action.command': `rm -rf ${dir} && ${text('command')}` } })),
  ];
}

async function post(signal: 'traces' | 'logs', records: DecodedRecord[]): Promise<void> {
  if (records.length === 0) return;
  const res = await fetch(`${warden.url}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: encodeOtlp(signal, records, 'otlp_proto') });
  assert.equal(res.status, 200, await res.text());
}

const gateAnswers: string[] = [];

/** A tool call put to the gate as Claude Code's PreToolUse hook; the answer is kept (the agent sees it). */
async function gate(session: string, command: string): Promise<void> {
  sequence++;
  const payload = { session_id: session, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_use_id: `toolu_gate_${sequence}`, tool_input: { command }, cwd: '/home/dev/repo' };
  const res = await fetch(`${warden.url}/api/v1/hooks/claude-code`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  gateAnswers.push(`${JSON.stringify(Object.fromEntries(res.headers))}\n${text}`);
}

async function send(records: DecodedRecord[]): Promise<void> {
  await post('logs', records.filter((r) => r.signal === 'logs'));
  await post('traces', records.filter((r) => r.signal === 'traces'));
}

function adminToken(): string {
  const token = /token:\s*(\S+)/.exec(fs.readFileSync(path.join(warden.dataDir, 'tokens.yaml'), 'utf8'))?.[1];
  assert.ok(token, 'the token file holds the admin token');
  return token;
}

async function api<T>(pathAndQuery: string): Promise<{ text: string; body: T }> {
  const res = await fetch(`${warden.url}${pathAndQuery}`, { headers: { authorization: `Bearer ${adminToken()}` } });
  const text = await res.text();
  assert.equal(res.status, 200, `${pathAndQuery}: ${text.slice(0, 300)}`);
  return { text, body: JSON.parse(text) as T };
}

async function clickhouseText(): Promise<string> {
  const client = warden.storage.client;
  const tables = await (await client.query({ query: 'SELECT name FROM system.tables WHERE database = currentDatabase()', format: 'JSONEachRow' })).json<{ name: string }>();
  assert.ok(tables.length >= 3, `tables: ${tables.map((t) => t.name).join(', ')}`);
  const parts: string[] = [];
  for (const { name } of tables) {
    const result = await client.query({ query: `SELECT * FROM \`${name.replace(/`/g, '')}\``, format: 'TabSeparatedRaw' });
    parts.push(`== ${name}\n${await result.text()}`);
  }
  return parts.join('\n');
}

/** The embedded queue's write-ahead log (request bodies before redaction, until stored). */
const RAW_QUEUE_DIR = 'queue-wal';

/** Every file under the data dir except chdb's data parts (directories holding `checksums.txt`). */
function dataDirText(): { text: string; files: number } {
  const parts: string[] = [];
  let files = 0;
  const walk = (dir: string): void => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.some((e) => e.isFile() && e.name === 'checksums.txt')) return;
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) {
        files++;
        parts.push(`== ${full}\n${fs.readFileSync(full).toString('latin1')}`);
      }
    }
  };
  walk(warden.dataDir);
  return { text: parts.join('\n'), files };
}

test('no planted secret survives into any output', { timeout: 120_000 }, async () => {
  const combinations: Combination[] = [];
  const sessions: string[] = [];
  SECRET_KINDS.forEach((kind, k) => {
    const session = `planted-${k}`;
    sessions.push(session);
    for (const [f, field] of FIELDS.entries()) combinations.push({ kind: kind.kind, field, session, planted: kind.plant(k * 100 + f + 1) });
  });
  const byKey = new Map(combinations.map((c) => [`${c.session}\u0000${c.field}`, c]));
  const textOf = (session: string) => (field: Field): string => byKey.get(`${session}\u0000${field}`)!.planted.text;

  let sent = 0;
  await Promise.all(sessions.map(async (session) => {
    const records = recordsFor(session, textOf(session));
    sent += records.length + 1;
    await send(records);
    await gate(session, `rm -rf /var/lib/postgresql && ${textOf(session)('gate hook')}`);
  }));

  // Every session is revoked and its signed webhook delivered.
  const service = warden.detection.killSwitch.service;
  await waitFor(async () => sessions.filter((s) => service.verdict('default', s).allow).length, (n) => n === 0, { what: 'every planted session revoked', timeoutMs: 60_000 });
  await waitFor(async () => receiver.received.length, (n) => n >= sessions.length, { what: 'a webhook per revoked session', timeoutMs: 60_000 });
  assert.ok(receiver.received.every((r) => r.verifyError === undefined), 'webhooks are signed');

  // Activity after revocation, named by the tool name field's value: a critical finding each.
  await Promise.all(sessions.map((session) => send([spanOf(session, { attributes: { 'gen_ai.tool.name': textOf(session)('tool name'), 'gen_ai.tool.call.arguments': args({ command: 'ls' }) } })])));
  // ...and a call put to the gate after revocation: denied, with the revocation's reason.
  await Promise.all(sessions.map((session) => gate(session, `cat /etc/hosts && ${textOf(session)('gate hook')}`)));
  sent += sessions.length * 2;
  const client = warden.storage.client;
  const count = async (query: string): Promise<number> => Number((await (await client.query({ query, format: 'JSONEachRow' })).json<{ n: string }>())[0]?.n ?? 0);
  await waitFor(() => count("SELECT uniqExact(session_id) AS n FROM findings WHERE detector = 'post_revocation_activity'"), (n) => n === sessions.length, { what: 'post-revocation findings for every session', timeoutMs: 60_000 });
  await waitFor(() => count('SELECT count() AS n FROM audit_events'), (n) => n >= sent, { what: 'every record stored' });
  await waitFor(() => count('SELECT count() AS n FROM revocations'), (n) => n >= sessions.length, { what: 'revocations mirrored to ClickHouse' });

  // The write-ahead log lets go of stored request bodies (a second after its last commit).
  const walDir = path.join(warden.dataDir, RAW_QUEUE_DIR);
  // Both of its logs: the telemetry's, and the hooks' in a directory of its own.
  const walText = (): string =>
    fs.existsSync(walDir)
      ? (fs.readdirSync(walDir, { recursive: true, encoding: 'utf8' }))
          .map((f) => path.join(walDir, f))
          .filter((f) => fs.statSync(f).isFile())
          .map((f) => fs.readFileSync(f).toString('latin1'))
          .join('\n')
      : '';
  const inWal = await waitFor(async () => { const wal = walText(); return combinations.filter((c) => wal.includes(c.planted.value)).length; }, (n) => n === 0, { what: 'the write-ahead log to drop stored bodies', timeoutMs: 15_000 }).catch((err: Error) => err.message);
  console.log(`# write-ahead log after its idle roll: ${String(inWal)} planted values on disk`);

  // Outputs.
  const sources: Record<string, string> = {};
  sources.clickhouse = await clickhouseText();
  const files = dataDirText();
  sources['data dir files'] = files.text;
  sources.webhooks = receiver.received.map((r) => `${JSON.stringify(r.headers)}\n${r.body}`).join('\n');
  const apiParts: string[] = [(await api('/api/v1/sessions?limit=1000')).text];
  const incident: string[] = [];
  for (const session of sessions) {
    const id = encodeURIComponent(session);
    const view = await api<Parameters<typeof renderIncidentMarkdown>[0]['session']>(`/api/v1/sessions/${id}`);
    const findings = await api<{ findings: Parameters<typeof renderIncidentMarkdown>[0]['findings'] }>(`/api/v1/findings?session=${id}&limit=1000`);
    const radius = await api<Parameters<typeof renderIncidentMarkdown>[0]['blastRadius']>(`/api/v1/sessions/${id}/blast-radius`);
    const timeline = await api<{ items: Parameters<typeof renderIncidentMarkdown>[0]['timeline'] }>(`/api/v1/sessions/${id}/timeline?limit=50000`);
    const decisions = await api(`/api/v1/gate/decisions?session=${id}&limit=1000`);
    apiParts.push(view.text, findings.text, radius.text, timeline.text, decisions.text);
    incident.push(renderIncidentMarkdown({ session: view.body, findings: findings.body.findings, blastRadius: radius.body, timeline: timeline.body.items, generatedAt: new Date().toISOString() }));
  }
  for (const match of ['/srv/**', '/etc/**', 'src/**', 'azure://**']) apiParts.push((await api(`/api/v1/targets?match=${encodeURIComponent(match)}&limit=1000`)).text);
  sources.api = apiParts.join('\n');
  sources['incident reports'] = incident.join('\n');
  sources.logs = logLines.join('');
  sources['gate answers'] = gateAnswers.join('\n');

  // The outputs are real: each holds what it should, so finding nothing in them means something.
  for (const session of sessions) assert.ok(sources.clickhouse.includes(session) && sources.api.includes(session) && sources.webhooks.includes(session), `${session} is in the outputs`);
  assert.ok(files.files >= 2, `data dir files read: ${files.files}`);
  assert.match(sources['incident reports'], /Activity after revocation: /);
  assert.match(sources.logs, /session revoked/);
  assert.match(sources['gate answers'], /"permissionDecision":"deny".*revoked this session/);
  assert.ok(sources.clickhouse.includes('== gate_decisions') && /gd_[0-9a-f]{24}/.test(sources.api), 'gate decisions stored and served');
  for (const field of ['span name', 'tool name', 'status message', 'log event name'] as const) {
    const marked = combinations.filter((c) => c.field === field).length;
    assert.ok(marked > 0 && sources.clickhouse.split('[REDACTED:').length > marked, `markers stored for ${field}`);
  }

  const leaks: string[] = [];
  let checked = 0;
  for (const c of combinations) {
    checked++;
    for (const form of [c.planted.value, ...(c.planted.forms ?? [])]) {
      for (const [source, text] of Object.entries(sources)) {
        const at = text.indexOf(form);
        if (at === -1) continue;
        const header = text.lastIndexOf('== ', at);
        const file = source === 'data dir files' ? ` (${path.relative(warden.dataDir, text.slice(header + 3, text.indexOf('\n', header)))})` : '';
        leaks.push(`${c.kind} × ${c.field} in ${source}${file}: …${text.slice(Math.max(0, at - 80), at + form.length + 20).replace(/[^\x20-\x7e]+/g, ' ')}…`);
      }
    }
  }
  const bytes = Object.values(sources).reduce((n, t) => n + t.length, 0);
  console.log(`# ${checked} (kind × field) combinations checked (${SECRET_KINDS.length} kinds × ${FIELDS.length} fields), ${sent} records sent, ${sessions.length} sessions revoked, ${receiver.received.length} webhooks, ${Object.keys(sources).length} outputs (${(bytes / 1e6).toFixed(1)} MB searched): ${leaks.length} leaks`);
  const bySource = new Map<string, string[]>();
  for (const leak of leaks) {
    const source = / in ([a-z ]+): /.exec(leak)?.[1] ?? '?';
    bySource.set(source, [...(bySource.get(source) ?? []), leak]);
  }
  const summary = [...bySource].map(([source, list]) => `${source}: ${list.length}\n  ${list.slice(0, 8).join('\n  ')}`).join('\n');
  assert.equal(leaks.length, 0, `planted secrets found:\n${summary}`);
});
