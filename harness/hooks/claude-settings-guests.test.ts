/**
 * Copilot and Cursor run the hooks configured for Claude Code: their payloads sent to the
 * claude-code hook — through the hook route (`POST /api/v1/hooks/claude-code`) and the shell
 * client (`bin/warden-hook claude-code`), against Warden built as `warden start` builds it — are
 * read as theirs: a destructive call denied with exit 2 and the reason on stderr (the answer that
 * blocks in every agent that runs Claude Code's hooks), a benign call allowed in the running
 * agent's format, each recorded under the real agent and its own session. With Warden down, the
 * shell client and `warden hook` deny such a payload with exit 2 (fail closed) or let it through
 * in the agent's format (fail open).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../../test/helpers/wait-for.js';
import { startHookTestWarden, type TestWarden } from '../../test/helpers/test-warden.js';
import type { CliRun } from '../../test/helpers/run-cli.js';
import { HOOK_CLIENTS, runHookClient, type HookClient } from '../../test/helpers/run-hook-client.js';
import { fixture } from './testdata/read-fixture.js';
import { guestAgentOf } from './claude-settings-guests.js';

const HOOK_TOKEN = 'wdn_test_claude_guests_ingest_00';
const OPERATOR_TOKEN = 'wdn_test_claude_guests_operator_';
const BOM = '\uFEFF';

interface Guest {
  agent: 'cursor' | 'copilot';
  sessionField: string;
  /** The recorded payload, its command replaced. */
  payload(session: string, command: string): Record<string, unknown>;
  /** stdin as the agent writes it. */
  stdin(payload: Record<string, unknown>): string;
  allowed(run: CliRun): void;
}

function withCommand(p: Record<string, unknown>, command: string): Record<string, unknown> {
  return { ...p, tool_input: { ...(p.tool_input as Record<string, unknown>), command } };
}

const GUESTS: Guest[] = [
  {
    agent: 'cursor', sessionField: 'conversation_id',
    payload: (s, command) => withCommand({ ...fixture('cursor', 'claude-settings-preToolUse-shell'), conversation_id: s }, command),
    stdin: (p) => BOM + JSON.stringify(p),
    allowed: (run) => {
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(JSON.parse(run.stdout), { permission: 'allow' });
    },
  },
  {
    agent: 'copilot', sessionField: 'session_id',
    payload: (s, command) => withCommand({ ...fixture('copilot', 'PreToolUse-pascal-bash-destructive'), session_id: s }, command),
    stdin: (p) => JSON.stringify(p),
    allowed: (run) => assert.deepEqual({ code: run.code, stdout: run.stdout }, { code: 0, stdout: '' }),
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

async function run(client: 'route' | HookClient, stdin: string, e: Record<string, string> = env): Promise<CliRun> {
  if (client !== 'route') return runHookClient(client, 'claude-code', stdin, e);
  const res = await fetch(`${e.WARDEN_URL}/api/v1/hooks/claude-code`, {
    method: 'POST',
    headers: { authorization: `Bearer ${e.WARDEN_TOKEN}`, 'content-type': 'application/json' },
    body: stdin,
  });
  assert.equal(res.status, 200);
  const body = await res.text();
  const code = Number(res.headers.get('warden-hook-exit'));
  return code === 0 ? { code, stdout: body, stderr: '' } : { code, stdout: '', stderr: body };
}

async function api(urlPath: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${warden.url}${urlPath}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  return (await res.json()) as Record<string, unknown>;
}

interface StoredEvent { phase: string; agent_id: string; tool: string; command: string }
type Item = { kind: 'call'; intent: StoredEvent | null; execution: StoredEvent | null } | { kind: 'event'; event: StoredEvent };

async function intents(session: string): Promise<StoredEvent[]> {
  const flat = (items: Item[] | undefined): StoredEvent[] =>
    (items ?? []).flatMap((i) => (i.kind === 'event' ? [i.event] : [i.intent].filter((x): x is StoredEvent => x !== null)));
  const timeline = await waitFor(
    async () => (await api(`/api/v1/sessions/${encodeURIComponent(session)}/timeline`)) as { items?: Item[] },
    (t) => flat(t.items).some((e) => e.phase === 'intent'),
    { what: `the intent of ${session} in the audit trail` },
  );
  return flat(timeline.items).filter((e) => e.phase === 'intent');
}

test('payloads are told apart: Cursor\'s and Copilot\'s are theirs, Claude Code\'s stays Claude Code\'s', () => {
  assert.equal(guestAgentOf(fixture('cursor', 'claude-settings-preToolUse-shell')), 'cursor');
  assert.equal(guestAgentOf(fixture('copilot', 'PreToolUse-pascal-bash-destructive')), 'copilot');
  assert.equal(guestAgentOf(fixture('copilot', 'preToolUse-bash-benign')), 'copilot');
  const claude = { session_id: 's', transcript_path: '/t.jsonl', cwd: '/p', permission_mode: 'default', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' }, tool_use_id: 'toolu_1' };
  assert.equal(guestAgentOf(claude), null);
  assert.equal(guestAgentOf({ session_id: 's', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'ls' } }), null);
});

for (const client of ['route', 'shell', 'shell-curl'] as const) {
  for (const g of GUESTS) {
    describe(`${g.agent} running the claude-code hook, through the ${client === 'route' ? 'hook route' : 'shell client'}`, () => {
      test('the destructive call is denied with exit 2 and the reason, recorded under the agent and its session', async () => {
        const s = `guest-${client}-${g.agent}-destructive`;
        const denied = await run(client, g.stdin(g.payload(s, 'rm -rf /')));
        assert.equal(denied.code, 2, denied.stdout);
        assert.equal(denied.stdout, '');
        assert.match(denied.stderr, /Warden blocked this action before it ran/);
        assert.match(denied.stderr, /rm -rf \//);
        const [intent] = await intents(s);
        assert.equal(intent!.agent_id, g.agent);
        assert.equal(intent!.command, 'rm -rf /');
        assert.equal(intent!.tool, 'Bash');
      });

      test('the benign call is allowed in the agent\'s format, recorded under the agent and its session', async () => {
        const s = `guest-${client}-${g.agent}-benign`;
        g.allowed(await run(client, g.stdin(g.payload(s, 'ls'))));
        const [intent] = await intents(s);
        assert.equal(intent!.agent_id, g.agent);
        assert.equal(intent!.command, 'ls');
      });
    });
  }
}

describe('Warden unreachable: a guest\'s tool call follows the fail mode in a format its agent obeys', () => {
  const down = { WARDEN_URL: 'http://127.0.0.1:9', WARDEN_HOOK_TIMEOUT_MS: '500' };
  for (const client of HOOK_CLIENTS) {
    for (const g of GUESTS) {
      test(`${g.agent}, ${client} client: closed denies with exit 2, open allows`, async () => {
        const closed = await run(client, g.stdin(g.payload('guest-down', 'ls')), down);
        assert.equal(closed.code, 2, closed.stdout);
        assert.match(closed.stderr, /could not check this tool call.*unreachable.*WARDEN_HOOK_FAIL=closed/);
        const open = await run(client, g.stdin(g.payload('guest-down', 'ls')), { ...down, WARDEN_HOOK_FAIL: 'open' });
        g.allowed(open);
        assert.match(open.stderr, /unreachable.*WARDEN_HOOK_FAIL=open: allowed/);
      });
    }
  }
});
