/**
 * Agents' own telemetry, as they send it (`testdata/agents/<source>/*.json`, see SOURCES.md
 * there), through the real decoder, normalizer, classifier and redactor. Per file, the fields each
 * event must have; keys as in normalize-fixtures.test.ts (`targets_include`, `arguments_json`,
 * `attributes`), plus `arguments_has` (keys the parsed arguments must hold). Across every file:
 * no event without a session, and `sessionIdOf` keys each record the way its event reads.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import type { AuditEvent } from '../model/audit-event.js';
import { decodeOtlp } from '../decode/otlp/index.js';
import type { DecodedRecord } from '../decode/otlp/records.js';
import { createNormalizer } from './normalizer.js';
import { realDeps } from './test-kit.js';

const AGENTS = new URL('./testdata/agents/', import.meta.url);
const normalizer = createNormalizer(realDeps());

type Want = Record<string, unknown>;
const CC = '5b2e4c1a-7d3f-4e21-9a0b-3c4d5e6f7a8b';
const CODEX = '0199a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const GEMINI = '9f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f';
const CONV = 'conv_5j66UpCpwteGg4YSxUnt7lPY';
const RM = 'rm -rf /srv/releases/old';
const PATCH_TARGETS = ['config/prod.env', 'docs/NOTES.md', 'src/main.py', 'src/app.py'];

/** A Claude Code event of this session and user (user.id, the anonymous install id, is not the user). */
const cc = (w: Want): Want => ({ source: 'claude_code', session_id: CC, user_id: 'dev@example.com', ...w });
const codex = (w: Want): Want => ({ source: 'codex', session_id: CODEX, user_id: 'ops@example.com', ...w });
const gemini = (w: Want): Want => ({ source: 'gemini_cli', session_id: GEMINI, ...w });
const span = (w: Want): Want => ({ source: 'claude_code', session_id: CC, phase: 'execution', tool: '', action_class: 'none', ...w });

const EXPECT: Record<string, Want[]> = {
  'claude-code/logs_bash_benign_default.json': [
    cc({ name: 'claude_code.tool_decision', phase: 'intent', tool: 'Bash', tool_call_id: 'toolu_01Bn01', decision: 'accept', command: '' }),
    cc({ name: 'claude_code.tool_result', phase: 'execution', tool: 'Bash', status: 'ok', command: '', error_type: '' }),
    // Without OTEL_LOG_TOOL_DETAILS only the category says what failed.
    cc({ tool_call_id: 'toolu_01Bn02', status: 'error', error_type: 'ShellError', command: '' }),
  ],
  'claude-code/logs_bash_destructive_tool_details.json': [
    cc({ phase: 'intent', decision: 'accept', command: RM, action_class: 'fs.delete', destructive: true, targets_include: ['/srv/releases/old'] }),
    cc({
      phase: 'execution', status: 'ok', command: RM, action_class: 'fs.delete', destructive: true, rule_ids: ['rm_recursive'],
      targets_include: ['/srv/releases/old'], arguments_json: { command: RM, timeout: 120000, description: 'Delete the old releases' },
    }),
  ],
  // Without the details flag nothing names the MCP server: the tool stays `mcp_tool`.
  'claude-code/logs_mcp_default.json': [
    cc({ phase: 'intent', tool: 'mcp_tool', decision: 'accept' }),
    cc({ phase: 'execution', tool: 'mcp_tool', status: 'ok', arguments: '' }),
  ],
  'claude-code/logs_mcp_tool_details.json': [
    cc({ phase: 'intent', tool: 'mcp__github__delete_repository', action_class: 'api.delete', destructive: true, attributes: { tool_name: 'mcp_tool' } }),
    cc({ phase: 'execution', tool: 'mcp__github__delete_repository', action_class: 'api.delete', destructive: true, arguments_json: { owner: 'acme', repo: 'legacy-api' } }),
  ],
  'claude-code/logs_mcp_sql_drop_tool_details.json': [
    cc({ phase: 'intent', tool: 'mcp__postgres__execute_sql', tool_call_id: 'toolu_01Sq01' }),
    cc({ phase: 'execution', tool: 'mcp__postgres__execute_sql', action_class: 'db.drop', destructive: true, arguments_json: { sql: 'DROP TABLE customers' } }),
  ],
  'claude-code/logs_rejected_bash_tool_details.json': [
    cc({ phase: 'intent', decision: 'reject', tool_call_id: 'toolu_01Rj01', command: 'git push --force origin main', action_class: 'git.force_push', destructive: true, status: 'unset' }),
    cc({ phase: 'intent', decision: 'reject', tool_call_id: 'toolu_01Rj02', command: 'terraform destroy -auto-approve', action_class: 'tf.destroy', destructive: true }),
  ],
  'claude-code/logs_write_file_tool_details.json': [
    cc({ phase: 'intent', tool: 'Write', decision: 'accept' }),
    cc({ phase: 'execution', tool: 'Write', action_class: 'fs.write', targets_include: ['/home/dev/repo/.github/workflows/deploy.yml'], arguments_has: ['file_path', 'content'] }),
  ],
  'claude-code/traces_tool_spans.json': [
    span({ name: 'claude_code.interaction' }),
    span({ name: 'claude_code.tool', tool: 'Bash', tool_call_id: 'toolu_01DsT1', command: RM, action_class: 'fs.delete', destructive: true, targets_include: ['/srv/releases/old'] }),
    span({ name: 'claude_code.tool.blocked_on_user', attributes: { decision: 'accept', source: 'user_temporary' } }),
    span({ name: 'claude_code.tool.execution', status: 'ok' }),
    span({ name: 'claude_code.tool', tool: 'Write', action_class: 'fs.write', targets: ['/home/dev/repo/.github/workflows/deploy.yml'] }),
    span({ name: 'claude_code.tool.blocked_on_user' }),
    span({ name: 'claude_code.tool.execution', status: 'ok' }),
    span({ name: 'claude_code.tool', tool: 'Bash', command: 'git push --force origin main', action_class: 'git.force_push', destructive: true }),
    span({ name: 'claude_code.tool.blocked_on_user', attributes: { decision: 'reject', source: 'user_reject' } }),
    span({ name: 'claude_code.tool', tool: 'Bash', tool_call_id: 'toolu_01Bn02', command: '' }),
    span({ name: 'claude_code.tool.blocked_on_user' }),
    span({ name: 'claude_code.tool.execution', status: 'error', error_type: 'ShellError' }),
  ],

  'codex/logs_apply_patch.json': [
    codex({ name: 'codex.tool_decision', phase: 'intent', tool: 'apply_patch', tool_call_id: 'call_Ap01', decision: 'approved' }),
    codex({ name: 'codex.tool_result', phase: 'execution', tool: 'apply_patch', command: '', action_class: 'fs.delete', destructive: true, rule_ids: ['patch_delete_files'], targets_include: PATCH_TARGETS }),
    codex({ tool_call_id: 'call_Ap02', action_class: 'fs.delete', destructive: true, targets_include: PATCH_TARGETS, arguments_has: ['input'] }),
  ],
  'codex/logs_exec_command_destructive.json': [
    codex({ phase: 'intent', tool: 'exec_command', decision: 'approved' }),
    codex({ phase: 'execution', command: 'git push --force origin main', cwd: '/home/dev/repo', action_class: 'git.force_push', destructive: true, status: 'ok' }),
  ],
  'codex/logs_mcp.json': [
    codex({ phase: 'intent', tool: 'mcp__github__delete_repository', destructive: true }),
    codex({ phase: 'execution', tool: 'mcp__github__delete_repository', action_class: 'api.delete', destructive: true, arguments_json: { owner: 'acme', repo: 'legacy-api' } }),
  ],
  'codex/logs_mcp_sql_drop.json': [
    codex({ phase: 'intent', tool: 'mcp__postgres__query' }),
    codex({ phase: 'execution', tool: 'mcp__postgres__query', action_class: 'db.drop', destructive: true }),
  ],
  'codex/logs_rejected.json': [
    codex({ phase: 'intent', tool: 'exec_command', decision: 'denied' }),
    codex({ phase: 'intent', tool: 'shell', decision: 'abort' }),
  ],
  'codex/logs_shell_benign.json': [
    codex({ phase: 'intent', tool: 'shell' }),
    codex({ phase: 'execution', tool: 'shell', command: "bash -lc 'ls -la'", cwd: '/home/dev/repo', destructive: false, status: 'ok' }),
    // local_shell's plain-text argv is the command (its quoting was lost before it was logged).
    codex({ phase: 'execution', tool: 'local_shell', command: 'bash -lc git status --short', destructive: false }),
  ],
  'codex/hook_pretooluse_apply_patch.otlp.json': [
    {
      source: 'hook', session_id: CODEX, phase: 'intent', tool: 'apply_patch', tool_call_id: 'call_Ap01', cwd: '/home/dev/repo',
      action_class: 'fs.delete', destructive: true, targets_include: PATCH_TARGETS.map((t) => `/home/dev/repo/${t}`),
    },
  ],

  'gemini-cli/logs_mcp.json': [gemini({ phase: 'execution', tool: 'mcp_github_delete_repository', decision: 'accept', destructive: true, status: 'ok', arguments_json: { owner: 'acme', repo: 'legacy-api' } })],
  'gemini-cli/logs_mcp_sql_drop.json': [gemini({ tool: 'mcp_postgres_execute_sql', action_class: 'db.drop', destructive: true })],
  // A rejected call never ran: an intent, the decision and the command kept, classified.
  'gemini-cli/logs_rejected.json': [
    gemini({ name: 'gemini_cli.tool_call', phase: 'intent', decision: 'reject', tool: 'run_shell_command', command: 'rm -rf ~/.ssh', action_class: 'fs.delete', destructive: true, severity: 'critical', status: 'unset' }),
  ],
  'gemini-cli/logs_shell_benign.json': [
    gemini({ phase: 'execution', command: 'git status --short', destructive: false, status: 'ok', decision: '' }),
    gemini({ phase: 'execution', command: 'npm test', decision: 'auto_accept', status: 'error', error_type: 'shell_execute_error' }),
  ],
  'gemini-cli/logs_shell_destructive.json': [
    gemini({ phase: 'execution', user_id: 'dev@example.com', command: 'kubectl delete namespace staging', cwd: 'infra', action_class: 'k8s.delete_namespace', destructive: true }),
  ],
  'gemini-cli/logs_write_file.json': [gemini({ tool: 'write_file', action_class: 'fs.write', targets: ['/home/dev/repo/.env'] })],
  'gemini-cli/traces_tool_call.json': [
    gemini({ phase: 'execution', tool: 'run_shell_command', tool_call_id: 'run_shell_command-1787100010000-4c1f2a', command: 'kubectl delete namespace staging', destructive: true }),
    gemini({ tool: 'write_file', tool_call_id: 'write_file-1787100012000-9a8b7c', targets: ['/home/dev/repo/.env'] }),
    // Traces off: the span names no tool; kept as Gemini's, not classified.
    gemini({ tool: '', action_class: 'none' }),
  ],

  'otel-genai/traces_mcp.json': [{ source: 'otel', session_id: CONV, tool: 'delete_repository', tool_call_id: 'call_m1', destructive: true }],
  'otel-genai/traces_no_conversation_id.json': [
    { source: 'otel', session_id: 'trace:5b8efff798038103d269b633813fc60c', tool: 'bash', tool_call_id: 'call_n1', command: 'rm -rf build', action_class: 'fs.delete' },
  ],
  'otel-genai/traces_shell_benign_and_error.json': [
    { session_id: CONV, command: 'kubectl get pods -n staging', destructive: false, status: 'ok' },
    { session_id: CONV, command: 'make deploy', status: 'error', error_type: '_OTHER' },
  ],
  'otel-genai/traces_shell_destructive.json': [
    { session_id: CONV, tool_call_id: 'call_mszuSIzqtI65i1wAUOE8w5H4', command: 'terraform destroy -auto-approve', action_class: 'tf.destroy', destructive: true },
    { session_id: CONV, name: 'invoke_agent release-bot', agent_id: 'agent-rb-1', tool: '' },
  ],
  'otel-genai/traces_write_file.json': [{ session_id: CONV, tool: 'write_file', targets: ['/srv/app/config.yaml'] }],

  'vercel-ai-sdk/traces_ai_toolcall_legacy.json': [
    { source: 'vercel_ai', session_id: 'sess-42', user_id: 'u-7', agent_id: 'support-agent', tool: 'runCommand', tool_call_id: 'call_v1', command: 'rm -rf /var/lib/postgresql/data', destructive: true, severity: 'high' },
    { source: 'vercel_ai', tool_call_id: 'call_v2', command: 'ls -la', destructive: false },
    { source: 'vercel_ai', tool: 'writeFile', targets_include: ['src/index.ts'] },
    { source: 'vercel_ai', tool_call_id: 'call_v4', command: 'npm test', status: 'error' },
  ],
  'vercel-ai-sdk/traces_execute_tool_v7.json': [
    { source: 'vercel_ai', session_id: 'sess-42', agent_id: 'support-agent', tool: 'runCommand', tool_call_id: 'call_v5', command: 'git push --force origin main', destructive: true },
  ],
  'openinference/traces_tool_spans.json': [
    // The command is read; a shell tool running SQL text is outside what the rules classify.
    { source: 'openinference', session_id: 'sess-oi-9', user_id: 'u-7', tool: 'run_shell', phase: 'execution', command: 'DROP DATABASE analytics' },
    { source: 'openinference', command: 'ls', destructive: false },
    { source: 'openinference', tool: 'write_file', action_class: 'fs.write', destructive: true, severity: 'high', targets: ['/etc/hosts'] },
  ],
  'traceloop/traces_tool_spans.json': [
    { source: 'traceloop', session_id: 'sess-tl-3', tool: 'run_command', command: 'aws s3 rb s3://prod-backups --force', action_class: 'cloud.delete', destructive: true },
    { source: 'traceloop', command: 'aws s3 ls', destructive: false },
    // Positional arguments carry no names: the write is recorded, its path is not derived.
    { source: 'traceloop', tool: 'write_file', action_class: 'fs.write', arguments_json: { args: ['/srv/app/.env', 'DEBUG=1\n'], kwargs: {} } },
  ],
};

function decode(file: string): DecodedRecord[] {
  const text = readFileSync(new URL(file, AGENTS), 'utf8');
  const signal = (JSON.parse(text) as Record<string, unknown>).resourceSpans ? 'traces' : 'logs';
  return decodeOtlp(signal, Buffer.from(text), 'otlp_json');
}

function check(event: AuditEvent, want: Want, at: string): void {
  for (const [key, expected] of Object.entries(want)) {
    const where = `${at}: ${key}`;
    if (key === 'targets_include') {
      for (const t of expected as string[]) assert.ok(event.targets.includes(t), `${where}: ${t} not in ${JSON.stringify(event.targets)}`);
    } else if (key === 'arguments_json') assert.deepEqual(JSON.parse(event.arguments), expected, where);
    else if (key === 'arguments_has') {
      const args = JSON.parse(event.arguments) as Record<string, unknown>;
      for (const k of expected as string[]) assert.ok(k in args, `${where}: ${k} not in ${event.arguments}`);
    } else if (key === 'attributes') {
      for (const [k, v] of Object.entries(expected as Record<string, string>)) assert.equal(event.attributes[k], v, `${where}.${k}`);
    } else assert.deepEqual((event as unknown as Record<string, unknown>)[key], expected, where);
  }
}

describe("agents' own telemetry → AuditEvents", () => {
  const files = readdirSync(AGENTS, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).sort();

  it('every recorded file has expectations, and every expectation a file', () => {
    assert.deepEqual(files, Object.keys(EXPECT).sort());
  });

  for (const file of Object.keys(EXPECT)) {
    it(file, () => {
      const records = decode(file);
      const events = normalizer.normalize(records);
      assert.equal(events.length, records.length, 'one event per record');
      assert.equal(events.length, EXPECT[file]!.length, 'one expectation per record');
      events.forEach((event, i) => {
        check(event, EXPECT[file]![i]!, `${file}[${i}]`);
        assert.notEqual(event.session_id, '', `${file}[${i}]: a session`);
        assert.equal(normalizer.sessionIdOf(records[i]!), event.session_id, `${file}[${i}]: sessionIdOf`);
      });
    });
  }
});
