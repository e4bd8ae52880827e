/**
 * Copilot, Cursor, Windsurf and Gemini CLI hooks end to end, on their agents' recorded payloads
 * (`testdata/<agent>/`), against Warden built by the same assembly as `warden start`: each payload
 * goes through the hook route (`POST /api/v1/hooks/<agent>`, as an HTTP hook or a client would
 * send it) and through the shell client (`bin/warden-hook <agent> [event]`, spawned as the agent
 * would). For every agent: the benign pre-tool call is allowed and the destructive one denied, in
 * the agent's own format with the reason; the post-tool event lands in the same session; an
 * operator's revocation denies the session's next call; a payload Warden cannot read is answered
 * with the agent's own fail-closed answer saying so; an unreachable Warden follows the fail mode
 * (closed: the agent's deny; open: the agent's allow), from the shell client and `warden hook`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../test/helpers/wait-for.js';
import { startHookTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import type { CliRun } from '../../test/helpers/run-cli.js';
import { HOOK_CLIENTS, runHookClient, type HookClient } from '../../test/helpers/run-hook-client.js';
import { fixture } from './testdata/read-fixture.js';

const HOOK_TOKEN = 'wdn_test_agent_hooks_ingest_0000';
const OPERATOR_TOKEN = 'wdn_test_agent_hooks_operator_00';

type Client = 'route' | HookClient;
type Payload = Record<string, unknown> | string;

interface AgentCase {
  agent: string;
  /** The payload field holding the session id. */
  sessionField: string;
  /** The event to name on the command line (Copilot's camelCase payloads carry none). */
  preEvent?: string;
  postEvent?: string;
  benign: string;
  destructive: string;
  post: string;
  allowed(run: CliRun): void;
  /** Asserts a deny in the agent's format; returns the reason it gave. */
  denied(run: CliRun): string;
}

const json = (run: CliRun): Record<string, string> => JSON.parse(run.stdout) as Record<string, string>;

const AGENTS: AgentCase[] = [
  {
    agent: 'copilot', sessionField: 'sessionId', preEvent: 'preToolUse', postEvent: 'postToolUse',
    benign: 'preToolUse-bash-benign', destructive: 'preToolUse-bash-destructive', post: 'postToolUse',
    allowed: (run) => assert.deepEqual({ code: run.code, stdout: run.stdout }, { code: 0, stdout: '' }),
    denied: (run) => {
      assert.equal(run.code, 0, run.stderr);
      const out = json(run);
      assert.deepEqual(Object.keys(out), ['permissionDecision', 'permissionDecisionReason']);
      assert.equal(out.permissionDecision, 'deny');
      return out.permissionDecisionReason!;
    },
  },
  {
    agent: 'cursor', sessionField: 'conversation_id',
    benign: 'beforeShellExecution-benign', destructive: 'beforeShellExecution-destructive', post: 'afterShellExecution',
    allowed: (run) => {
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(json(run), { permission: 'allow' });
    },
    denied: (run) => {
      assert.equal(run.code, 0, run.stderr);
      const out = json(run);
      assert.equal(out.permission, 'deny');
      assert.equal(out.user_message, out.agent_message);
      return out.agent_message!;
    },
  },
  {
    agent: 'windsurf', sessionField: 'trajectory_id',
    benign: 'pre_run_command-benign', destructive: 'pre_run_command-destructive', post: 'post_run_command',
    allowed: (run) => assert.deepEqual({ code: run.code, stdout: run.stdout }, { code: 0, stdout: '' }),
    denied: (run) => {
      assert.equal(run.code, 2, run.stdout);
      assert.equal(run.stdout, '');
      return run.stderr;
    },
  },
  {
    agent: 'gemini', sessionField: 'session_id',
    benign: 'BeforeTool-shell-benign', destructive: 'BeforeTool-shell-destructive', post: 'AfterTool',
    allowed: (run) => {
      assert.equal(run.code, 0, run.stderr);
      assert.equal(json(run).decision, undefined, run.stdout);
    },
    denied: (run) => {
      assert.equal(run.code, 0, run.stderr);
      const out = json(run);
      assert.equal(out.decision, 'deny');
      assert.equal(out.systemMessage, out.reason);
      return out.reason!;
    },
  },
];

let warden: TestWarden;
let env: Record<string, string>;

before(async () => {
  ({ warden, env } = await startHookTestWarden(HOOK_TOKEN, OPERATOR_TOKEN));
});

after(async () => {
  await warden.cleanup();
});

async function run(client: Client, agent: string, payload: Payload, event?: string, e: Record<string, string> = env): Promise<CliRun> {
  const stdin = typeof payload === 'string' ? payload : JSON.stringify(payload);
  if (client !== 'route') return runHookClient(client, agent, stdin, e, event ? [event] : []);
  const query = event ? `?event=${event}` : '';
  const res = await fetch(`${e.WARDEN_URL}/api/v1/hooks/${agent}${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${e.WARDEN_TOKEN}`, 'content-type': 'application/json' },
    body: stdin,
  });
  assert.equal(res.status, 200, `the hook route answers 200 (got ${res.status})`);
  const body = await res.text();
  const code = Number(res.headers.get('warden-hook-exit'));
  return code === 0 ? { code, stdout: body, stderr: '' } : { code, stdout: '', stderr: body };
}

async function api(method: 'GET' | 'POST', urlPath: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${warden.url}${urlPath}`, {
    method,
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

interface StoredEvent { phase: string; agent_id: string; tool: string; command: string; destructive: boolean; attributes: Record<string, string> }
type Item = { kind: 'call'; intent: StoredEvent | null; execution: StoredEvent | null } | { kind: 'event'; event: StoredEvent };

async function storedEvents(session: string, atLeast: (events: StoredEvent[]) => boolean): Promise<StoredEvent[]> {
  const flat = (items: Item[] | undefined): StoredEvent[] =>
    (items ?? []).flatMap((i) => (i.kind === 'event' ? [i.event] : [i.intent, i.execution].filter((x): x is StoredEvent => x !== null)));
  const timeline = await waitFor(
    async () => (await api('GET', `/api/v1/sessions/${encodeURIComponent(session)}/timeline`)).json as { items?: Item[] },
    (t) => atLeast(flat(t.items)),
    { what: `the hook events of ${session} in the audit trail` },
  );
  return flat(timeline.items);
}

for (const client of ['route', 'shell', 'shell-curl'] as const) {
  for (const a of AGENTS) {
    describe(`${a.agent} through the ${client === 'route' ? 'hook route' : 'shell client'}`, () => {
      const payload = (name: string, session: string) => ({ ...fixture(a.agent, name), [a.sessionField]: session });
      const sid = (name: string) => `${client}-${a.agent}-${name}`;

      test('the benign call is allowed, the post-tool event recorded in the same session', async () => {
        const s = sid('benign');
        a.allowed(await run(client, a.agent, payload(a.benign, s), a.preEvent));
        const post = await run(client, a.agent, payload(a.post, s), a.postEvent);
        assert.equal(post.code, 0, post.stderr);
        const events = await storedEvents(s, (ev) => ev.some((e) => e.phase === 'execution') && ev.some((e) => e.phase === 'intent'));
        const intent = events.find((e) => e.phase === 'intent')!;
        const execution = events.find((e) => e.phase === 'execution')!;
        assert.equal(intent.command, 'ls');
        assert.equal(intent.tool, 'Bash');
        assert.equal(intent.agent_id, a.agent === 'gemini' ? 'gemini-cli' : a.agent);
        assert.equal(execution.agent_id, intent.agent_id);
        assert.equal(execution.tool, 'Bash');
      });

      test('the destructive call is denied before it runs, in the agent\'s format, with the reason', async () => {
        const s = sid('destructive');
        const reason = a.denied(await run(client, a.agent, payload(a.destructive, s), a.preEvent));
        assert.match(reason, /Warden blocked this action before it ran/);
        assert.match(reason, /rm -rf \//);
        const decisions = await waitFor(
          async () => (await api('GET', `/api/v1/gate/decisions?session=${s}&decision=deny`)).json as { decisions?: Array<{ command: string }> },
          (d) => (d.decisions?.length ?? 0) > 0,
          { what: 'the deny in gate_decisions' },
        );
        assert.equal(decisions.decisions![0]!.command, 'rm -rf /');
      });

      test('a revoked session\'s next call is denied in the agent\'s format', async () => {
        const s = sid('revoked');
        a.allowed(await run(client, a.agent, payload(a.benign, s), a.preEvent));
        await waitFor(async () => (await api('GET', `/api/v1/sessions/${s}`)).status, (st) => st === 200, { what: 'the session' });
        assert.equal((await api('POST', `/api/v1/sessions/${s}/revoke`, { reason: 'agent went off the rails' })).status, 200);
        const reason = a.denied(await run(client, a.agent, payload(a.benign, s), a.preEvent));
        assert.match(reason, /revoked this session.*operator:alice.*agent went off the rails/);
      });

      test('a payload Warden cannot read gets the agent\'s fail-closed answer, saying so', async () => {
        const unreadable = client === 'route' ? { hello: 'world' } : 'not json';
        const reason = a.denied(await run(client, a.agent, unreadable));
        assert.match(reason, /could not read/);
      });
    });
  }
}

describe('Warden unreachable: the fail mode, in each agent\'s format', () => {
  const down = { WARDEN_URL: 'http://127.0.0.1:9', WARDEN_HOOK_TIMEOUT_MS: '500' };
  for (const client of HOOK_CLIENTS) {
    for (const a of AGENTS) {
      test(`${a.agent}, ${client} client: closed denies, open allows, post-tool never blocks`, async () => {
        const pre = fixture(a.agent, a.benign);
        const closed = await run(client, a.agent, pre, a.preEvent, down);
        assert.match(a.denied(closed), /could not check this tool call.*127\.0\.0\.1:9 unreachable.*WARDEN_HOOK_FAIL=closed/);
        const open = await run(client, a.agent, pre, a.preEvent, { ...down, WARDEN_HOOK_FAIL: 'open' });
        a.allowed(open);
        assert.match(open.stderr + open.stdout, /unreachable.*WARDEN_HOOK_FAIL=open: allowed/);
        if (client === 'node') return; // each run starts Node: the rest is the shell client's
        const post = await run(client, a.agent, fixture(a.agent, a.post), a.postEvent, down);
        assert.equal(post.code, 0, post.stderr);
        assert.doesNotMatch(post.stdout, /deny/);
        // Not readable, Warden down: still the agent's own deny, saying both.
        assert.match(a.denied(await run(client, a.agent, 'not json', undefined, down)), /could not read the hook input.*unreachable/);
      });
    }
  }
  test('Copilot without an event on the command line: a tool call with no result is gated', async () => {
    const closed = await run('shell', 'copilot', fixture('copilot', 'preToolUse-bash-benign'), undefined, down);
    assert.equal(JSON.parse(closed.stdout).permissionDecision, 'deny');
  });
});
