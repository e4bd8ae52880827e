/**
 * Warden's OpenCode plugin, loaded in node as OpenCode loads it and its hooks called with
 * OpenCode's recorded arguments (`harness/hooks/testdata/opencode/`), against Warden built as
 * `warden start` builds it: a destructive call throws with the reason and its intent is stored
 * under OpenCode's session; a benign call resolves and its execution pairs with it by callID; a
 * call the gate would stage for a person throws saying so; a revoked session's next call throws;
 * an unreachable Warden throws (fail-closed) or, configured open, lets the call through with a
 * warning.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { waitFor } from '../../test/helpers/wait-for.js';
import { startTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import { fixture } from '../hooks/testdata/read-fixture.js';
import { createWardenPlugin, type ToolCall, type WardenHooks } from './warden.js';

const HOOK_TOKEN = 'wdn_test_opencode_plugin_ingest_';
const OPERATOR_TOKEN = 'wdn_test_opencode_plugin_operato';

let warden: TestWarden;
let hooks: WardenHooks;

before(async () => {
  warden = await startTestWarden({}, { tokens: [
    { name: 'hooks', token: HOOK_TOKEN, tenant: 'default', roles: ['ingest'] },
    { name: 'alice', token: OPERATOR_TOKEN, tenant: 'default', roles: ['read', 'operate'] },
  ] });
  hooks = await createWardenPlugin({ url: warden.url, token: HOOK_TOKEN, fail: 'closed' })({ directory: '/home/dev/project' });
});

after(async () => {
  await warden.cleanup();
});

interface Recorded { input: ToolCall; output: { args?: unknown; title?: string; output?: string; metadata?: unknown } }

function call(name: string, session: string): Recorded {
  const f = fixture('opencode', name) as unknown as Recorded;
  return { input: { ...f.input, sessionID: session }, output: f.output };
}

const before_ = (r: Recorded, h: WardenHooks = hooks) => h['tool.execute.before'](r.input, { args: r.output.args });

async function api(method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${warden.url}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface StoredEvent { phase: string; agent_id: string; tool: string; command: string; attributes: Record<string, string> }
type Item = { kind: 'call'; intent: StoredEvent | null; execution: StoredEvent | null } | { kind: 'event'; event: StoredEvent };

async function timeline(session: string, done: (items: Item[]) => boolean): Promise<Item[]> {
  const t = await waitFor(
    async () => (await api('GET', `/api/v1/sessions/${encodeURIComponent(session)}/timeline`)).json as { items?: Item[] },
    (x) => done(x.items ?? []),
    { what: `the events of ${session} in the audit trail` },
  );
  return t.items ?? [];
}

/** A port nothing listens on (one the system just handed out and took back). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

test('a destructive call throws with the reason, and its intent is stored under the OpenCode session', async () => {
  const s = 'ses_opencode_destructive';
  await assert.rejects(before_(call('tool.execute.before-bash-destructive', s)), (err: Error) => {
    assert.match(err.message, /Warden blocked this action before it ran/);
    assert.match(err.message, /rm -rf \//);
    return true;
  });
  const items = await timeline(s, (i) => i.some((x) => x.kind === 'call' && x.intent !== null));
  const intent = items.flatMap((i) => (i.kind === 'call' && i.intent ? [i.intent] : []))[0]!;
  assert.equal(intent.agent_id, 'opencode');
  assert.equal(intent.tool, 'Bash');
  assert.equal(intent.command, 'rm -rf /');
});

test('a benign call resolves; its execution pairs with the intent by callID', async () => {
  const s = 'ses_opencode_benign';
  await before_(call('tool.execute.before-bash-benign', s));
  const done = call('tool.execute.after', s);
  await hooks['tool.execute.after'](done.input, done.output);
  const items = await timeline(s, (i) => i.some((x) => x.kind === 'call' && x.intent !== null && x.execution !== null));
  const paired = items.find((x): x is Extract<Item, { kind: 'call' }> => x.kind === 'call' && x.intent !== null && x.execution !== null)!;
  assert.equal(paired.intent!.command, 'ls');
  assert.equal(paired.execution!.agent_id, 'opencode');
});

test('a write is allowed and stored as Warden\'s Write tool', async () => {
  const s = 'ses_opencode_write';
  await before_(call('tool.execute.before-write', s));
  const items = await timeline(s, (i) => i.some((x) => x.kind === 'call' && x.intent !== null));
  const intent = items.flatMap((i) => (i.kind === 'call' && i.intent ? [i.intent] : []))[0]!;
  assert.equal(intent.tool, 'Write');
});

test('a call the gate would stage for a person throws, saying a person must approve it (OpenCode cannot ask)', async () => {
  const push = call('tool.execute.before-bash-benign', 'ses_opencode_ask');
  const args = { command: 'git push --force origin main', description: 'Force-push' };
  await assert.rejects(before_({ ...push, output: { args } }), (err: Error) => {
    assert.match(err.message, /asks a person to confirm this action/);
    assert.match(err.message, /cannot ask a person, so the call is denied.*warden allow/);
    return true;
  });
});

test('a revoked session\'s next call throws', async () => {
  const s = 'ses_opencode_revoked';
  await before_(call('tool.execute.before-bash-benign', s));
  await waitFor(async () => (await api('GET', `/api/v1/sessions/${s}`)).status, (st) => st === 200, { what: 'the session' });
  assert.equal((await api('POST', `/api/v1/sessions/${s}/revoke`, { reason: 'agent went off the rails' })).status, 200);
  const next = call('tool.execute.before-bash-benign', s);
  await assert.rejects(before_({ ...next, input: { ...next.input, callID: 'toolu_02Next' } }), /revoked this session.*agent went off the rails/);
});

test('Warden unreachable: closed throws, open lets the call through with a warning; after never throws', async () => {
  const down = { url: `http://127.0.0.1:${await closedPort()}`, token: HOOK_TOKEN, timeoutMs: 500 };
  const warnings: string[] = [];
  const closed = await createWardenPlugin({ ...down, fail: 'closed', warn: (l) => warnings.push(l) })({ directory: '/p' });
  await assert.rejects(before_(call('tool.execute.before-bash-benign', 'ses_down'), closed), /could not check this tool call.*unreachable.*ECONNREFUSED.*WARDEN_HOOK_FAIL=closed/);
  const open = await createWardenPlugin({ ...down, fail: 'open', warn: (l) => warnings.push(l) })({ directory: '/p' });
  await before_(call('tool.execute.before-bash-benign', 'ses_down'), open);
  const done = call('tool.execute.after', 'ses_down');
  await closed['tool.execute.after'](done.input, done.output);
  assert.match(warnings.join('\n'), /unreachable.*WARDEN_HOOK_FAIL=open: allowed/);
  assert.match(warnings.join('\n'), /the execution was not recorded/);
});

test('a wrong token is a failure too: closed throws', async () => {
  const wrong = await createWardenPlugin({ url: warden.url, token: 'wdn_not_a_token_at_all_00000000', fail: 'closed' })({});
  await assert.rejects(before_(call('tool.execute.before-bash-benign', 'ses_wrong_token'), wrong), /answered 401/);
});
