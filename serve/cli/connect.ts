/**
 * `warden connect <agent> [--dry-run] [--write] [--url URL] [--token TOKEN | --new-token]`: the
 * settings that connect an agent to Warden — its hooks pointing at the hook client and its own
 * telemetry sent to Warden — for claude-code, codex, copilot, cursor, windsurf, gemini, opencode (its
 * plugin file, written as it is) and aider (the shell wrapper). What each agent gets is data (connect-agents.yaml).
 *
 * Without --write (or with --dry-run) it prints each settings file as it would be written — merged
 * with the file already there, if any — under a `==> <path> <==` line, then the environment the
 * agent is to be started with (`export` lines). --write merges into each file: JSON key by key
 * (Warden's hook entries added once, a previous Warden entry replaced, other settings kept), TOML
 * by appending Warden's tables when the file has none of them yet (a file that has them is left
 * as it is, and said so); an existing file is first copied to `<file>.warden-backup-<time>`.
 *
 * The token is --token (refused when the token file gives it more than the ingest role: an agent
 * must never hold an operator's or admin's token), or --new-token: a fresh ingest-only token added
 * to Warden's token file (Warden loads it at its next start), or a placeholder to fill in.
 */
import type { Command } from 'commander';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseDocument } from 'yaml';
import { loadConfig } from '../../config/config.js';
import { generateToken, parseTokenFile } from '../../config/tokens.js';

const AGENTS_FILE = new URL('./connect-agents.yaml', import.meta.url);
/** Files written as they are (`format: copy`, `source: <name>`). */
const SOURCES: Readonly<Record<string, URL>> = {
  'opencode-plugin': new URL('../../harness/opencode/warden.js', import.meta.url),
};
const TOKEN_PLACEHOLDER = 'wdn_<ingest token>';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface SettingsFile {
  path: string;
  base: 'project' | 'home';
  format: 'json' | 'toml' | 'copy';
  content?: Json;
  /** `copy`: which file of SOURCES. */
  source?: string;
  text?: string;
  guard?: string;
}

interface AgentSettings {
  title: string;
  files: SettingsFile[];
  env?: Record<string, string>;
}

export interface ConnectOptions {
  dryRun?: boolean;
  write?: boolean;
  url?: string;
  token?: string;
  newToken?: boolean;
  tenant?: string;
  dir?: string;
  home?: string;
  hookCommand?: string;
}

export class ConnectError extends Error {
  override readonly name = 'ConnectError';
}

export function agentSettings(): Record<string, AgentSettings> {
  return parse(fs.readFileSync(AGENTS_FILE, 'utf8')) as Record<string, AgentSettings>;
}

/** bin/warden-shell of this package (found upward from this module, in the sources or the build). */
function shellWrapper(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, 'bin', 'warden-shell');
    if (fs.existsSync(candidate)) return candidate;
    const up = path.dirname(dir);
    if (up === dir) return 'warden-shell';
    dir = up;
  }
}

function fill(value: Json, vars: Record<string, string>): Json {
  if (typeof value === 'string') return value.replace(/\{(\w+)\}/g, (all, name: string) => vars[name] ?? all);
  if (Array.isArray(value)) return value.map((v) => fill(v, vars));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fill(v, vars)]));
  return value;
}

const isObject = (v: Json | undefined): v is { [key: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The commands an array entry runs (`command` / `bash` values, at any depth). */
function commandsIn(value: Json): string[] {
  if (Array.isArray(value)) return value.flatMap(commandsIn);
  if (!isObject(value)) return [];
  return Object.entries(value).flatMap(([key, v]) => ((key === 'command' || key === 'bash') && typeof v === 'string' ? [v] : commandsIn(v)));
}

/** Whether an array entry runs the hook client for this agent: alone (`own`) or beside other commands. */
function wardenIn(entry: Json, marker: string): 'own' | 'shared' | 'none' {
  const commands = commandsIn(entry);
  if (!commands.some((c) => c.includes(marker))) return 'none';
  return commands.every((c) => c.includes(marker)) ? 'own' : 'shared';
}

/**
 * `ours` merged into `theirs`: objects key by key, arrays get each of our entries once (replacing
 * an entry that runs only the hook client; one that runs it beside other commands is kept), other
 * values ours. `changed` collects the keys whose value we replaced or kept.
 */
export function mergeJson(theirs: Json | undefined, ours: Json, marker: string, changed: string[] = [], at = ''): Json {
  if (isObject(theirs) && isObject(ours)) {
    const merged: { [key: string]: Json } = { ...theirs };
    for (const [key, value] of Object.entries(ours)) merged[key] = mergeJson(theirs[key], value, marker, changed, at ? `${at}.${key}` : key);
    return merged;
  }
  if (Array.isArray(theirs) && Array.isArray(ours)) {
    const merged = [...theirs];
    for (const entry of ours) {
      if (merged.some((e) => JSON.stringify(e) === JSON.stringify(entry))) continue;
      // An entry of theirs that also runs the hook client is kept as it is (its other commands with it).
      if (merged.some((e) => wardenIn(e, marker) === 'shared')) {
        changed.push(`${at} (kept: an entry there already runs ${marker} beside other commands)`);
        continue;
      }
      const previous = merged.findIndex((e) => wardenIn(e, marker) === 'own');
      if (previous >= 0) merged[previous] = entry;
      else merged.push(entry);
    }
    return merged;
  }
  if (theirs !== undefined && JSON.stringify(theirs) !== JSON.stringify(ours)) changed.push(at);
  return ours;
}

interface Planned {
  file: string;
  format: 'json' | 'toml' | 'copy';
  /** The file's text after the merge (null: left as it is). */
  text: string | null;
  existed: boolean;
  notes: string[];
}

function plan(spec: SettingsFile, vars: Record<string, string>, roots: { project: string; home: string }, marker: string): Planned {
  const file = path.resolve(roots[spec.base], spec.path);
  const existing = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  const notes: string[] = [];
  if (spec.format === 'copy') {
    const source = SOURCES[spec.source ?? ''];
    if (source === undefined) throw new ConnectError(`${spec.path}: no file ${JSON.stringify(spec.source)} to copy`);
    const text = fs.readFileSync(source, 'utf8');
    if (existing !== null && existing !== text) notes.push('replaced the previous version');
    return { file, format: 'copy', text, existed: existing !== null, notes };
  }
  if (spec.format === 'json') {
    let theirs: Json | undefined;
    if (existing !== null && existing.trim() !== '') {
      try {
        theirs = JSON.parse(existing) as Json;
      } catch (err) {
        throw new ConnectError(`${file} is not JSON (${(err as Error).message}); not changed — merge the snippet by hand (warden connect prints it with a fresh --dir)`);
      }
      if (!isObject(theirs)) throw new ConnectError(`${file} does not hold a JSON object; not changed`);
    }
    const changed: string[] = [];
    const merged = mergeJson(theirs, fill(spec.content ?? {}, vars), marker, changed);
    if (changed.length > 0) notes.push(`replaced ${changed.join(', ')}`);
    return { file, format: 'json', text: `${JSON.stringify(merged, null, 2)}\n`, existed: existing !== null, notes };
  }
  const ours = String(fill(spec.text ?? '', vars));
  const guard = spec.guard ?? '';
  if (existing !== null && guard && new RegExp(`^\\s*\\[+\\s*"?${guard}"?\\s*[\\].]`, 'm').test(existing)) {
    notes.push(`already has a [${guard}] table: left as it is; compare it with:\n${ours}`);
    return { file, format: 'toml', text: null, existed: true, notes };
  }
  const text = existing === null || existing.trim() === '' ? ours : `${existing.replace(/\n*$/, '\n')}\n${ours}`;
  return { file, format: 'toml', text, existed: existing !== null, notes };
}

/** The token the snippets carry: given (ingest-only), freshly minted, or a placeholder. */
function tokenFor(options: ConnectOptions, agent: string, tokensFile: string, out: (line: string) => void): string {
  if (options.token && options.newToken) throw new ConnectError('give --token or --new-token, not both');
  const entries = fs.existsSync(tokensFile) ? parseTokenFile(fs.readFileSync(tokensFile, 'utf8'), tokensFile) : null;
  if (options.token) {
    if (!/^[\w.~+/=-]{16,}$/.test(options.token)) throw new ConnectError('--token must be a token of at least 16 characters (letters, digits, _ . ~ + / = -)');
    const known = entries?.find((e) => e.token === options.token);
    if (known && known.roles.some((r) => r !== 'ingest')) {
      throw new ConnectError(`the token ${JSON.stringify(known.name)} has the roles ${known.roles.join(', ')}; an agent gets an ingest-only token (--new-token makes one)`);
    }
    return options.token;
  }
  if (!options.newToken) return TOKEN_PLACEHOLDER;
  if (entries === null) throw new ConnectError(`no token file at ${tokensFile} (Warden writes it on its first start); set WARDEN_DATA_DIR or WARDEN_TOKENS_FILE as Warden has them, or pass --token`);
  const name = `connect-${agent}-${new Date().toISOString().slice(0, 19).replace(/[-:T]/g, '')}`;
  const token = generateToken();
  const doc = parseDocument(fs.readFileSync(tokensFile, 'utf8'));
  doc.addIn(['tokens'], doc.createNode({ name, token, tenant: options.tenant ?? 'default', roles: ['ingest'] }, { flow: true }));
  const temporary = `${tokensFile}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, doc.toString(), { mode: 0o600 });
  parseTokenFile(fs.readFileSync(temporary, 'utf8'), temporary);
  fs.renameSync(temporary, tokensFile);
  out(`# added the ingest-only token ${JSON.stringify(name)} (tenant ${options.tenant ?? 'default'}) to ${tokensFile}; restart Warden to load it`);
  return token;
}

/** A value for a POSIX shell's `export NAME=…`. */
const shellValue = (value: string): string => (/^[\w/.:@%+=,-]*$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`);

/** Runs the command; what it prints goes through `out` (stdout). Throws ConnectError on refusal. */
export function connect(agent: string, options: ConnectOptions, out: (line: string) => void, env: Record<string, string | undefined> = process.env): void {
  const agents = agentSettings();
  const settings = agents[agent];
  if (settings === undefined) throw new ConnectError(`unknown agent ${JSON.stringify(agent)}; use ${Object.keys(agents).join(', ')}`);
  const config = loadConfig(env);
  const url = (options.url ?? env.WARDEN_URL ?? `http://127.0.0.1:${config.http.port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s"'\\{}]+$/.test(url)) throw new ConnectError(`--url must be an http(s) URL, not ${JSON.stringify(url)}`);
  const hook = options.hookCommand ?? 'warden-hook';
  if (/["\\{}\n]/.test(hook)) throw new ConnectError('--hook-command must not hold quotes, backslashes, braces or newlines');
  const token = tokenFor(options, agent, config.tokensFile, out);
  const vars = { url, token, hook, shell: shellWrapper() };
  const roots = { project: path.resolve(options.dir ?? '.'), home: path.resolve(options.home ?? os.homedir()) };
  const planned = settings.files.map((spec) => plan(spec, vars, roots, `${hook} ${agent}`));
  const write = options.write === true && options.dryRun !== true;
  // Notes first, so each `==> <path> <==` section holds the file's text alone.
  if (token === TOKEN_PLACEHOLDER) out(`# replace ${TOKEN_PLACEHOLDER} with a token that has the ingest role (--new-token adds one to Warden's token file)`);
  if (!write && settings.files.length > 0) out(`# to merge this into the file${settings.files.length > 1 ? 's' : ''} (with a backup): warden connect ${agent} --write`);

  for (const p of planned) {
    if (write && p.text !== null) {
      fs.mkdirSync(path.dirname(p.file), { recursive: true });
      let backup = '';
      if (p.existed) {
        backup = `${p.file}.warden-backup-${new Date().toISOString().replace(/[:.]/g, '-')}`;
        fs.copyFileSync(p.file, backup);
      }
      fs.writeFileSync(p.file, p.text);
      out(`# wrote ${p.file}${backup ? ` (the previous file is ${backup})` : ''}${p.notes.length ? `; ${p.notes.join('; ')}` : ''}`);
    } else if (write) {
      out(`# ${p.file}: ${p.notes.join('; ')}`);
    } else {
      out(`==> ${p.file} <==`);
      if (p.text === null) out(`# ${p.notes.join('; ')}`);
      else out(p.text.replace(/\n$/, ''));
    }
  }
  if (settings.env && Object.keys(settings.env).length > 0) {
    const lines = Object.entries(settings.env).map(([name, value]) => `export ${name}=${shellValue(String(fill(value, vars)))}`);
    if (!write) out('==> environment <==');
    out(`# in the shell that starts ${settings.title}:`);
    for (const line of lines) out(line);
  }
}

const HELP = `
Agents: claude-code, codex, copilot, cursor, windsurf, gemini, opencode, aider. Project files are written
under --dir (default: the current directory), Codex's under --home (default: your home).

Examples:
  warden connect claude-code                     print .claude/settings.local.json as it would be
  warden connect claude-code --new-token --write  add an ingest token, merge the settings (backup kept)
  warden connect codex --url https://warden.example:4318 --token wdn_...
  warden connect aider                            the environment that gates Aider's shell commands`;

export function registerConnectCommand(program: Command): void {
  program
    .command('connect')
    .description("print or write an agent's settings for Warden: hooks through the hook client, its telemetry to Warden, an ingest token")
    .argument('<agent>', 'claude-code, codex, copilot, cursor, windsurf, gemini, opencode or aider')
    .option('--dry-run', 'print what would be written, write nothing (the default without --write)')
    .option('--write', 'merge into the settings files, keeping a backup of each')
    .option('--url <url>', 'Warden base URL the agent reaches (default WARDEN_URL or http://127.0.0.1:$WARDEN_HTTP_PORT)')
    .option('--token <token>', 'an ingest-only token for the agent')
    .option('--new-token', "add a new ingest-only token to Warden's token file and use it")
    .option('--tenant <tenant>', 'tenant of a --new-token (default: default)')
    .option('--dir <dir>', 'project directory for project settings files (default: the current one)')
    .option('--home <dir>', 'home directory for user settings files (default: yours)')
    .option('--hook-command <command>', 'how the agent runs the hook client (default warden-hook)')
    .addHelpText('after', HELP)
    .action((agent: string, options: ConnectOptions) => {
      try {
        connect(agent, options, (line) => process.stdout.write(`${line}\n`));
      } catch (err) {
        if (!(err instanceof ConnectError)) throw err;
        process.stderr.write(`warden connect: ${err.message}\n`);
        process.exitCode = 1;
      }
    });
}
