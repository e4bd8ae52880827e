/**
 * The Copilot, Cursor, Windsurf and Gemini CLI adapters on their agents' recorded payloads
 * (`testdata/<agent>/*.json`, each with the citation it was taken from): every payload read into
 * the common hook record and normalized by the real normalizer (the mapping in
 * `normalize/sources/hooks.yaml`, the real classifier and redactor) into the AuditEvent a person
 * would expect — session, agent, phase, tool, command or targets, action class — and each
 * adapter's answers in its agent's own format. No Warden runs here; `agent-hooks.test.ts` sends
 * the same payloads through the hook route and the hook clients.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createNormalizer } from '../../normalize/index.js';
import { realDeps } from '../../normalize/test-kit.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { hookLogRecord, type HookInput } from './hook-event.js';
import { HOOK_ADAPTERS } from './adapters.js';
import { readHookInput, type HookAdapter } from './run-hook.js';
import { fixture } from './testdata/read-fixture.js';


const normalizer = createNormalizer(realDeps());

function eventOf(agent: string, payload: unknown, event?: string): { input: HookInput; event: AuditEvent } {
  const adapter = HOOK_ADAPTERS[agent]!;
  const input = readHookInput(adapter, payload, event);
  const [normalized] = normalizer.normalize([hookLogRecord(input, adapter.agent, 1_767_614_400_000_000_000n)]);
  assert.ok(normalized, `${agent}: no event`);
  return { input, event: normalized };
}

type Expect = Partial<Pick<AuditEvent, 'session_id' | 'agent_id' | 'phase' | 'tool' | 'tool_call_id' | 'command' | 'cwd' | 'action_class' | 'destructive' | 'status' | 'goal' | 'source'>> & {
  targets?: string[];
  attributes?: Record<string, string>;
};

function check(agent: string, name: string, expected: Expect, event?: string): AuditEvent {
  const { event: e } = eventOf(agent, fixture(agent, name), event);
  const { targets, attributes, ...fields } = expected;
  for (const [key, value] of Object.entries(fields)) assert.deepEqual(e[key as keyof AuditEvent], value, `${agent}/${name}: ${key} of ${JSON.stringify(e)}`);
  if (targets) assert.deepEqual(e.targets, targets, `${agent}/${name}: targets`);
  for (const [key, value] of Object.entries(attributes ?? {})) assert.equal(e.attributes[key], value, `${agent}/${name}: attribute ${key} of ${JSON.stringify(e.attributes)}`);
  assert.equal(e.source, 'hook');
  return e;
}

const COPILOT = '8f7c2a51-3b9e-4d0f-9c61-2a7e5b4d1c90';
const CURSOR = '0c5f6e1a-7d2b-4a53-9b0e-1f2a3b4c5d6e';
const WINDSURF = '3f2b9d1e-8a4c-4e6f-b7d0-5c1a2e3f4b6d';
const GEMINI = '5d6a1f7e-2c3b-4e8d-9f0a-1b2c3d4e5f60';

describe('Copilot payloads', () => {
  test('camelCase preToolUse, event from the command line: toolArgs JSON text read, bash → Bash, destructive', () => {
    check('copilot', 'preToolUse-bash-destructive', { session_id: COPILOT, agent_id: 'copilot', phase: 'intent', tool: 'Bash', command: 'rm -rf /', cwd: '/home/dev/project', destructive: true, attributes: { agent_event: 'preToolUse', agent_tool: 'bash' } }, 'preToolUse');
  });
  test('camelCase payload without an event: the shape decides (a tool call with no result is an intent)', () => {
    check('copilot', 'preToolUse-bash-benign', { phase: 'intent', tool: 'Bash', command: 'ls', destructive: false });
    check('copilot', 'postToolUse', { session_id: COPILOT, phase: 'execution', tool: 'Bash', command: 'npm test', status: 'ok' });
    check('copilot', 'sessionStart', { session_id: COPILOT, phase: 'session', goal: 'Create a new feature' });
    check('copilot', 'userPromptSubmitted', { phase: 'session', goal: 'Fix the authentication bug' });
    check('copilot', 'sessionEnd', { phase: 'session', attributes: { end_reason: 'complete', agent_event: 'sessionEnd' } });
  });
  test('edit → Edit: a file write with its path as the target', () => {
    check('copilot', 'preToolUse-edit', { phase: 'intent', tool: 'Edit', action_class: 'fs.write', targets: ['/home/dev/project/src/app.ts'] }, 'preToolUse');
  });
  test('an MCP tool keeps its name (server-tool split unconfirmed); arguments kept', () => {
    const e = check('copilot', 'preToolUse-mcp', { phase: 'intent', tool: 'github-mcp-server-list_issues' }, 'preToolUse');
    assert.deepEqual(JSON.parse(e.arguments), { owner: 'octo', repo: 'demo', state: 'open' });
  });
  test('PascalCase (the .claude/settings.json shape Copilot sends): read the same', () => {
    check('copilot', 'PreToolUse-pascal-bash-destructive', { session_id: COPILOT, phase: 'intent', tool: 'Bash', command: 'rm -rf /', destructive: true });
    check('copilot', 'PostToolUse-pascal', { phase: 'execution', tool: 'Bash', command: 'npm test' });
  });
  test('the event on the command line wins over the shape', () => {
    assert.equal(eventOf('copilot', fixture('copilot', 'preToolUse-bash-benign'), 'postToolUse').event.phase, 'execution');
  });
  test('a payload with no session or no event is unreadable, and says which field is missing', () => {
    assert.throws(() => readHookInput(HOOK_ADAPTERS.copilot!, { toolName: 'bash' }, 'preToolUse'), /no sessionId/);
    assert.throws(() => readHookInput(HOOK_ADAPTERS.copilot!, { sessionId: 's', cwd: '/' }, undefined), /no event name.*warden-hook copilot preToolUse/);
    assert.throws(() => readHookInput(HOOK_ADAPTERS.copilot!, [1, 2], undefined), /not a JSON object/);
  });
});

describe('Cursor payloads', () => {
  test('beforeShellExecution: top-level command, conversation_id as the session, destructive', () => {
    check('cursor', 'beforeShellExecution-destructive', { session_id: CURSOR, agent_id: 'cursor', phase: 'intent', tool: 'Bash', command: 'rm -rf /', cwd: '/home/dev/project', destructive: true, attributes: { agent_event: 'beforeShellExecution', turn_id: 'a91b2c3d-4e5f-6071-8293-a4b5c6d7e8f9' } });
    check('cursor', 'beforeShellExecution-benign', { phase: 'intent', command: 'ls', destructive: false });
    check('cursor', 'afterShellExecution', { session_id: CURSOR, phase: 'execution', tool: 'Bash', command: 'ls', cwd: '/home/dev/project' });
  });
  test('beforeMCPExecution: tool_input JSON text read, named mcp__<server>__<tool>', () => {
    const e = check('cursor', 'beforeMCPExecution', { phase: 'intent', tool: 'mcp__github__create_issue', attributes: { mcp_server: 'github', mcp_tool: 'create_issue' } });
    assert.deepEqual(JSON.parse(e.arguments), { owner: 'octo', repo: 'demo', title: 'Bug' });
  });
  test('a DROP TABLE sent to an MCP database tool is classified', () => {
    const payload = { ...fixture('cursor', 'beforeMCPExecution'), mcp_server_name: 'postgres', tool_name: 'query', tool_input: '{"sql":"DROP TABLE users"}', command: 'npx -y @modelcontextprotocol/server-postgres' };
    const { event } = eventOf('cursor', payload);
    assert.equal(event.tool, 'mcp__postgres__query');
    assert.equal(event.destructive, true, JSON.stringify(event));
    assert.match(event.action_class, /^db\./);
  });
  test('preToolUse / postToolUse: tool_use_id pairs them; Shell → Bash, Write a file write', () => {
    check('cursor', 'preToolUse-shell', { phase: 'intent', tool: 'Bash', tool_call_id: 'abc123', command: 'rm -rf /', destructive: true, attributes: { agent_tool: 'Shell' } });
    check('cursor', 'postToolUse', { phase: 'execution', tool: 'Bash', tool_call_id: 'abc123', command: 'npm test' });
    check('cursor', 'preToolUse-write', { phase: 'intent', tool: 'Write', tool_call_id: 'def456', action_class: 'fs.write', targets: ['/home/dev/project/src/app.ts'] });
  });
  test('beforeReadFile is an intent to read (the content is not forwarded); afterFileEdit an executed edit', () => {
    const read = eventOf('cursor', fixture('cursor', 'beforeReadFile'));
    assert.equal(read.event.tool, 'Read');
    assert.equal(read.event.phase, 'intent');
    assert.deepEqual(read.event.targets, ['/home/dev/project/.env']);
    assert.doesNotMatch(JSON.stringify(hookLogRecord(read.input, 'cursor', 1n)), /API_KEY/);
    check('cursor', 'afterFileEdit', { phase: 'execution', tool: 'Edit', targets: ['/home/dev/project/src/app.ts'] });
  });
  test('sessionStart and beforeSubmitPrompt (the goal)', () => {
    check('cursor', 'sessionStart', { session_id: CURSOR, phase: 'session' });
    check('cursor', 'beforeSubmitPrompt', { session_id: CURSOR, phase: 'session', goal: 'Fix the bug in main.ts' });
  });
  test('stdin with a byte order mark is read', async () => {
    const { parseHookJson } = await import('./hook-event.js');
    const text = `\ufeff${JSON.stringify(fixture('cursor', 'beforeShellExecution-benign'))}`;
    assert.equal(readHookInput(HOOK_ADAPTERS.cursor!, parseHookJson(text)).session_id, CURSOR);
  });
});

describe('Windsurf payloads', () => {
  test('pre_run_command: tool_info.command_line, trajectory_id as the session', () => {
    check('windsurf', 'pre_run_command-destructive', { session_id: WINDSURF, agent_id: 'windsurf', phase: 'intent', tool: 'Bash', command: 'rm -rf /', cwd: '/Users/yourname/project', destructive: true, attributes: { agent_event: 'pre_run_command', turn_id: '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d' } });
    check('windsurf', 'pre_run_command-benign', { phase: 'intent', command: 'ls', destructive: false });
    check('windsurf', 'post_run_command', { session_id: WINDSURF, phase: 'execution', tool: 'Bash', command: 'npm install package-name' });
  });
  test('write, read and MCP actions', () => {
    check('windsurf', 'pre_write_code', { phase: 'intent', tool: 'Edit', action_class: 'fs.write', targets: ['/Users/yourname/project/file.py'] });
    check('windsurf', 'post_write_code', { phase: 'execution', tool: 'Edit', targets: ['/Users/yourname/project/file.py'] });
    check('windsurf', 'pre_read_code', { phase: 'intent', tool: 'Read', targets: ['/Users/yourname/project/file.py'] });
    const e = check('windsurf', 'pre_mcp_tool_use', { phase: 'intent', tool: 'mcp__github__create_issue', attributes: { mcp_server: 'github', agent_tool: 'create_issue' } });
    assert.equal(JSON.parse(e.arguments).title, 'Bug report');
    check('windsurf', 'post_mcp_tool_use', { phase: 'execution', tool: 'mcp__github__list_commits' });
  });
  test('pre_user_prompt carries the goal', () => {
    check('windsurf', 'pre_user_prompt', { session_id: WINDSURF, phase: 'session', goal: 'can you run the echo hello command' });
  });
});

describe('Gemini CLI payloads', () => {
  test('BeforeTool run_shell_command → Bash, dir_path resolved against cwd', () => {
    check('gemini', 'BeforeTool-shell-destructive', { session_id: GEMINI, agent_id: 'gemini-cli', phase: 'intent', tool: 'Bash', command: 'rm -rf /', cwd: '/home/dev/project', destructive: true, attributes: { agent_event: 'BeforeTool', agent_tool: 'run_shell_command' } });
    check('gemini', 'BeforeTool-shell-benign', { phase: 'intent', command: 'ls', destructive: false });
    check('gemini', 'AfterTool', { session_id: GEMINI, phase: 'execution', tool: 'Bash', command: 'ls', status: 'ok' });
  });
  test('AfterTool with an error is a failed execution', () => {
    const payload = { ...fixture('gemini', 'AfterTool'), tool_response: { llmContent: '', returnDisplay: '', error: 'Command exited 1' } };
    const { event } = eventOf('gemini', payload);
    assert.equal(event.phase, 'execution');
    assert.equal(event.status, 'error');
  });
  test('write_file, replace and MCP tools', () => {
    check('gemini', 'BeforeTool-write_file', { phase: 'intent', tool: 'Write', action_class: 'fs.write', targets: ['/home/dev/project/src/app.ts'] });
    check('gemini', 'BeforeTool-replace', { phase: 'intent', tool: 'Edit', action_class: 'fs.write' });
    check('gemini', 'BeforeTool-mcp', { phase: 'intent', tool: 'mcp__github__create_issue', attributes: { agent_tool: 'mcp_github_create_issue' } });
  });
  test('a DROP TABLE through an MCP database tool is classified', () => {
    const payload = { ...fixture('gemini', 'BeforeTool-mcp'), tool_name: 'mcp_postgres_query', tool_input: { sql: 'DROP TABLE users' }, mcp_context: { server_name: 'postgres', tool_name: 'query' } };
    const { event } = eventOf('gemini', payload);
    assert.equal(event.destructive, true, JSON.stringify(event));
  });
  test('sessions and prompts', () => {
    check('gemini', 'SessionStart', { session_id: GEMINI, phase: 'session' });
    check('gemini', 'SessionEnd', { session_id: GEMINI, phase: 'session', attributes: { end_reason: 'exit' } });
    check('gemini', 'BeforeAgent', { session_id: GEMINI, phase: 'session', goal: 'Clean up the build directory' });
  });
});

describe('answers in each agent\'s format', () => {
  const answer = (agent: string, decision: 'allow' | 'ask' | 'deny', input: HookInput) =>
    HOOK_ADAPTERS[agent]!.answer({ decision, reason: 'Warden blocked rm -rf /', remedy: 'warden allow gd_1' }, input);
  const input = (agent: string, name: string, event?: string) => readHookInput(HOOK_ADAPTERS[agent]!, fixture(agent, name), event);

  test('Copilot: flat permissionDecision; allow is empty', () => {
    const pre = input('copilot', 'preToolUse-bash-destructive', 'preToolUse');
    assert.deepEqual(answer('copilot', 'allow', pre), { exitCode: 0, stdout: '', stderr: '' });
    assert.deepEqual(JSON.parse(answer('copilot', 'deny', pre).stdout), { permissionDecision: 'deny', permissionDecisionReason: 'Warden blocked rm -rf / — warden allow gd_1' });
    assert.equal(JSON.parse(answer('copilot', 'ask', pre).stdout).permissionDecision, 'ask');
  });
  test('Cursor: permission JSON; ask only at beforeShellExecution / beforeMCPExecution', () => {
    const shell = input('cursor', 'beforeShellExecution-destructive');
    const generic = input('cursor', 'preToolUse-shell');
    const cursor: HookAdapter = HOOK_ADAPTERS.cursor!;
    assert.deepEqual(JSON.parse(answer('cursor', 'allow', shell).stdout), { permission: 'allow' });
    assert.deepEqual(JSON.parse(answer('cursor', 'deny', shell).stdout), { permission: 'deny', user_message: 'Warden blocked rm -rf / — warden allow gd_1', agent_message: 'Warden blocked rm -rf / — warden allow gd_1' });
    assert.equal(JSON.parse(answer('cursor', 'ask', shell).stdout).permission, 'ask');
    assert.equal(cursor.canAskAt!(shell), true);
    assert.equal(cursor.canAskAt!(generic), false);
    assert.equal(cursor.canAskAt!(input('cursor', 'beforeMCPExecution')), true);
    assert.equal(JSON.parse(answer('cursor', 'ask', generic).stdout).permission, 'deny');
    assert.deepEqual(Object.keys(JSON.parse(answer('cursor', 'deny', input('cursor', 'beforeReadFile')).stdout)), ['permission', 'user_message']);
    assert.deepEqual(JSON.parse(cursor.pass!(input('cursor', 'beforeSubmitPrompt')).stdout), { continue: true });
    assert.deepEqual(JSON.parse(cursor.pass!(input('cursor', 'afterShellExecution')).stdout), {});
  });
  test('Windsurf: exit 2 with the reason on stderr; ask is a deny', () => {
    const pre = input('windsurf', 'pre_run_command-destructive');
    assert.deepEqual(answer('windsurf', 'allow', pre), { exitCode: 0, stdout: '', stderr: '' });
    assert.deepEqual(answer('windsurf', 'deny', pre), { exitCode: 2, stdout: '', stderr: 'Warden blocked rm -rf / — warden allow gd_1\n' });
    assert.equal(answer('windsurf', 'ask', pre).exitCode, 2);
    assert.equal(HOOK_ADAPTERS.windsurf!.canAsk, false);
  });
  test('Gemini CLI: decision JSON, exit 0', () => {
    const pre = input('gemini', 'BeforeTool-shell-destructive');
    assert.deepEqual(JSON.parse(answer('gemini', 'allow', pre).stdout), {});
    assert.deepEqual(JSON.parse(answer('gemini', 'deny', pre).stdout), { decision: 'deny', reason: 'Warden blocked rm -rf / — warden allow gd_1', systemMessage: 'Warden blocked rm -rf / — warden allow gd_1' });
    assert.equal(JSON.parse(answer('gemini', 'ask', pre).stdout).decision, 'ask');
    assert.equal(answer('gemini', 'deny', pre).exitCode, 0);
  });
});
