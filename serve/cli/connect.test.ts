/**
 * `warden connect`: for every agent, the dry run prints each settings file in the agent's own
 * format (parsed here as JSON or TOML) with the hooks running the hook client for an agent it
 * knows and the telemetry pointed at Warden with the token, and an environment a POSIX shell
 * reads; --write merges into an existing file (other settings kept, Warden's entries once, a
 * backup of the previous file) and leaves a TOML file that already has Warden's table alone;
 * --new-token adds an ingest-only token to the token file and never prints the admin token; an
 * admin token given with --token is refused.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { agentSettings, connect, ConnectError, type ConnectOptions } from './connect.js';
import { loadOrCreateTokens, parseTokenFile } from '../../config/tokens.js';
import { HOOK_ADAPTERS } from '../../harness/hooks/adapters.js';
import { runProcess } from '../../test/helpers/run-cli.js';

const URL_ = 'https://warden.example:4318';
const TOKEN = 'wdn_test_connect_ingest_0000';

let work: string;
let env: Record<string, string>;

before(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'warden-connect-'));
  env = { WARDEN_DATA_DIR: path.join(work, 'data') };
});
after(() => fs.rmSync(work, { recursive: true, force: true }));

function run(agent: string, options: ConnectOptions): string[] {
  const lines: string[] = [];
  connect(agent, options, (line) => lines.push(line), env);
  return lines;
}

/** The dry run's sections: `==> <name> <==` then the text up to the next such line. */
function sections(lines: string[]): Map<string, string> {
  const out = new Map<string, string>();
  let name = '';
  for (const line of lines) {
    const header = /^==> (.+) <==$/.exec(line);
    if (header) out.set((name = header[1]!), '');
    else if (name) out.set(name, `${out.get(name)}${line}\n`);
  }
  return out;
}

/** Every string in a parsed settings file. */
function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** What a POSIX shell exports after reading the environment section. */
async function exported(text: string): Promise<Record<string, string>> {
  const script = `${text}\nenv -0`;
  const result = await runProcess('/bin/sh', ['-c', script]);
  assert.equal(result.code, 0, result.stderr);
  return Object.fromEntries(result.stdout.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

describe('dry run: each agent\'s files in its own format', () => {
  for (const agent of Object.keys(agentSettings())) {
    test(agent, async () => {
      const dir = fs.mkdtempSync(path.join(work, `${agent}-`));
      const out = sections(run(agent, { dryRun: true, url: URL_, token: TOKEN, dir, home: path.join(dir, 'home') }));
      const files = agentSettings()[agent]!.files;
      assert.deepEqual([...out.keys()].filter((k) => k !== 'environment'), files.map((f) => path.resolve(f.base === 'home' ? path.join(dir, 'home') : dir, f.path)));
      const parsed = files.filter((f) => f.format !== 'copy').map((f) => {
        const text = out.get(path.resolve(f.base === 'home' ? path.join(dir, 'home') : dir, f.path))!;
        return f.format === 'json' ? (JSON.parse(text) as Record<string, unknown>) : (parseToml(text) as Record<string, unknown>);
      });
      // Every hook runs the hook client for an agent it has an adapter for.
      const hookCommands = parsed.flatMap(strings).filter((s) => s.startsWith('warden-hook '));
      if (agent !== 'aider' && agent !== 'opencode') assert.ok(hookCommands.length > 0, 'no hook');
      for (const command of hookCommands) assert.ok(Object.hasOwn(HOOK_ADAPTERS, command.split(' ')[1]!), command);
      assert.ok(hookCommands.every((c) => c.split(' ')[1] === agent), hookCommands.join(', '));
      const environment = out.has('environment') ? await exported(out.get('environment')!) : {};
      if (agent !== 'claude-code') {
        assert.equal(environment.WARDEN_URL, URL_);
        assert.equal(environment.WARDEN_TOKEN, TOKEN);
      }

      if (agent === 'claude-code') {
        const e = (parsed[0] as { env: Record<string, string> }).env;
        assert.equal(e.CLAUDE_CODE_ENABLE_TELEMETRY, '1');
        assert.equal(e.OTEL_LOG_TOOL_DETAILS, '1');
        assert.equal(e.OTEL_EXPORTER_OTLP_ENDPOINT, URL_);
        assert.equal(e.OTEL_EXPORTER_OTLP_HEADERS, `Authorization=Bearer ${TOKEN}`);
        assert.equal(e.WARDEN_URL, URL_);
        assert.equal(e.WARDEN_TOKEN, TOKEN);
        assert.deepEqual(Object.keys((parsed[0] as { hooks: object }).hooks), ['PreToolUse', 'PostToolUse', 'PostToolUseFailure', 'UserPromptSubmit']);
      }
      if (agent === 'codex') {
        const otel = (parsed[1] as { otel: { log_user_prompt: boolean; exporter: Record<string, { endpoint: string; protocol: string; headers: Record<string, string> }> } }).otel;
        assert.equal(otel.exporter['otlp-http']!.endpoint, `${URL_}/v1/logs`);
        assert.equal(otel.exporter['otlp-http']!.headers.authorization, `Bearer ${TOKEN}`);
      }
      if (agent === 'gemini') {
        assert.deepEqual((parsed[0] as { telemetry: object }).telemetry, { enabled: true, target: 'local', otlpEndpoint: URL_, otlpProtocol: 'http', logPrompts: true });
        assert.equal(environment.OTEL_EXPORTER_OTLP_HEADERS, `Authorization=Bearer ${TOKEN}`);
      }
      if (agent === 'copilot') assert.ok(hookCommands.includes('warden-hook copilot preToolUse'));
      if (agent === 'opencode') {
        const plugin = out.get(path.resolve(dir, '.opencode/plugins/warden.js'))!;
        assert.equal(plugin, fs.readFileSync(new URL('../../harness/opencode/warden.js', import.meta.url), 'utf8'));
        assert.equal(environment.WARDEN_HOOK_FAIL, 'closed');
      }
      if (agent === 'aider') {
        assert.match(environment.SHELL!, /bin\/warden-shell$/);
        fs.accessSync(environment.SHELL!, fs.constants.X_OK);
        assert.equal(environment.OTEL_SERVICE_NAME, 'aider');
      }
      // A dry run writes nothing.
      assert.deepEqual(fs.readdirSync(dir), []);
    });
  }
});

test('--write merges into an existing settings file, keeps a backup, and adds Warden once', () => {
  const dir = fs.mkdtempSync(path.join(work, 'merge-'));
  const file = path.join(dir, '.claude', 'settings.local.json');
  fs.mkdirSync(path.dirname(file));
  const before = {
    permissions: { allow: ['Bash(npm test)'] },
    env: { FOO: '1', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://old:4318' },
    hooks: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'my-linter' }] }] },
  };
  fs.writeFileSync(file, JSON.stringify(before));
  const said = run('claude-code', { write: true, url: URL_, token: TOKEN, dir });
  assert.match(said.join('\n'), /wrote .*settings\.local\.json \(the previous file is .*warden-backup-.*\); replaced env\.OTEL_EXPORTER_OTLP_ENDPOINT/);

  const after1 = JSON.parse(fs.readFileSync(file, 'utf8')) as { permissions: unknown; env: Record<string, string>; hooks: Record<string, Array<{ matcher?: string; hooks: Array<{ command: string }> }>> };
  assert.deepEqual(after1.permissions, before.permissions);
  assert.equal(after1.env.FOO, '1');
  assert.equal(after1.env.OTEL_EXPORTER_OTLP_ENDPOINT, URL_);
  assert.deepEqual(after1.hooks.PreToolUse!.map((h) => h.hooks[0]!.command), ['my-linter', 'warden-hook claude-code']);
  const backups = fs.readdirSync(path.dirname(file)).filter((f) => f.includes('warden-backup'));
  assert.equal(backups.length, 1);
  assert.deepEqual(JSON.parse(fs.readFileSync(path.join(path.dirname(file), backups[0]!), 'utf8')), before);

  // Again, with another URL: Warden's entries are replaced, not repeated.
  run('claude-code', { write: true, url: 'http://127.0.0.1:4318', token: TOKEN, dir, hookCommand: 'warden-hook' });
  const after2 = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof after1;
  assert.deepEqual(after2.hooks.PreToolUse!.map((h) => h.hooks[0]!.command), ['my-linter', 'warden-hook claude-code']);
  assert.equal(after2.env.WARDEN_URL, 'http://127.0.0.1:4318');

  // An entry running the hook client beside another command is theirs: kept whole, not doubled.
  const shared = { matcher: '*', hooks: [{ type: 'command', command: 'my-audit' }, { type: 'command', command: 'warden-hook claude-code' }] };
  fs.writeFileSync(file, JSON.stringify({ hooks: { PreToolUse: [shared] } }));
  const kept = run('claude-code', { write: true, url: URL_, token: TOKEN, dir });
  assert.match(kept.join('\n'), /hooks\.PreToolUse \(kept: an entry there already runs warden-hook claude-code beside other commands\)/);
  const after3 = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof after1;
  assert.deepEqual(after3.hooks.PreToolUse, [shared]);
  assert.equal(after3.hooks.PostToolUse!.length, 1);
});

test('--write on a TOML file appends the [otel] tables once, and leaves a file that has them alone', () => {
  const home = fs.mkdtempSync(path.join(work, 'home-'));
  const file = path.join(home, '.codex', 'config.toml');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, 'model = "o3"\n\n[features]\ncodex_hooks = true\n');
  run('codex', { write: true, url: URL_, token: TOKEN, home });
  const merged = parseToml(fs.readFileSync(file, 'utf8')) as { model: string; features: object; otel: { exporter: Record<string, { endpoint: string }> } };
  assert.equal(merged.model, 'o3');
  assert.deepEqual({ ...merged.features }, { codex_hooks: true });
  assert.equal(merged.otel.exporter['otlp-http']!.endpoint, `${URL_}/v1/logs`);
  const text = fs.readFileSync(file, 'utf8');
  const again = run('codex', { write: true, url: URL_, token: TOKEN, home });
  assert.equal(fs.readFileSync(file, 'utf8'), text);
  assert.match(again.join('\n'), /config\.toml: already has a \[otel\] table: left as it is/);
  assert.ok(fs.existsSync(path.join(home, '.codex', 'hooks.json')));
});

test('--write puts the OpenCode plugin where OpenCode loads it, a module that builds its hooks', async () => {
  const dir = fs.mkdtempSync(path.join(work, 'opencode-write-'));
  const lines = run('opencode', { write: true, url: URL_, token: TOKEN, dir });
  const file = path.join(dir, '.opencode', 'plugins', 'warden.js');
  assert.ok(lines.some((l) => l.startsWith(`# wrote ${file}`)), lines.join('\n'));
  const module = (await import(file)) as { WardenPlugin: (ctx: { directory: string }) => Promise<Record<string, unknown>> };
  const hooks = await module.WardenPlugin({ directory: dir });
  assert.deepEqual(Object.keys(hooks).sort(), ['tool.execute.after', 'tool.execute.before']);
});

test('a settings file that is not JSON is refused and left as it is', () => {
  const dir = fs.mkdtempSync(path.join(work, 'broken-'));
  const file = path.join(dir, '.cursor', 'hooks.json');
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, '{ "version": 1, // a comment\n');
  assert.throws(() => run('cursor', { write: true, token: TOKEN, dir }), (err: Error) => err instanceof ConnectError && /is not JSON.*not changed/.test(err.message));
  assert.equal(fs.readFileSync(file, 'utf8'), '{ "version": 1, // a comment\n');
});

test('--new-token adds an ingest-only token and never prints the admin token; an admin --token is refused', () => {
  const tokensFile = path.join(env.WARDEN_DATA_DIR!, 'tokens.yaml');
  const { created } = loadOrCreateTokens(tokensFile);
  const admin = created!.token;
  const dir = fs.mkdtempSync(path.join(work, 'token-'));
  const lines = run('gemini', { newToken: true, url: URL_, dir });
  const entries = parseTokenFile(fs.readFileSync(tokensFile, 'utf8'), tokensFile);
  assert.equal(entries.length, 2);
  const minted = entries[1]!;
  assert.deepEqual(minted.roles, ['ingest']);
  assert.match(minted.name, /^connect-gemini-\d{14}$/);
  const text = lines.join('\n');
  assert.ok(text.includes(minted.token));
  assert.ok(!text.includes(admin), 'the admin token was printed');
  assert.equal((fs.statSync(tokensFile).mode & 0o777).toString(8), '600');

  assert.throws(() => run('gemini', { token: admin, dir }), (err: Error) => err instanceof ConnectError && /roles ingest, read, operate, admin; an agent gets an ingest-only token/.test(err.message));
  assert.throws(() => run('gemini', { token: minted.token, newToken: true, dir }), ConnectError);
  assert.throws(() => run('nobody', { dir }), /unknown agent "nobody"/);
});
