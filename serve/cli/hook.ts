/**
 * `warden hook claude-code|codex`: run by the agent for each configured hook event, with the
 * event JSON on stdin. Forwards the event to Warden and, before a tool call, answers with the
 * agent's own deny format when Warden says no (see harness/README.md for the configuration).
 */
import type { Command } from 'commander';
import { hookConfig } from '../../harness/hooks/hook-config.js';
import { runHook, type HookAdapter } from '../../harness/hooks/run-hook.js';
import { claudeCodeAdapter } from '../../harness/hooks/claude-code.js';
import { codexAdapter } from '../../harness/hooks/codex.js';

const ADAPTERS: Record<string, HookAdapter> = { 'claude-code': claudeCodeAdapter, codex: codexAdapter };

const HELP = `
Environment:
  WARDEN_URL              Warden base URL (default http://127.0.0.1:$WARDEN_HTTP_PORT, port 4318)
  WARDEN_TOKEN            token with the ingest role (optional on a loopback-bound Warden)
  WARDEN_HOOK_FAIL        closed (default): deny tool calls while Warden is unreachable; open: allow them
  WARDEN_HOOK_TIMEOUT_MS  per request (default 1500)

Example (what the agent does):
  echo '{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash",
         "tool_input":{"command":"ls"},"tool_use_id":"toolu_1","cwd":"/repo"}' | warden hook claude-code`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerHookCommand(program: Command): void {
  program
    .command('hook')
    .description('agent hook adapter: forward the hook event on stdin to Warden, deny the tool call when Warden says so')
    .argument('<agent>', `agent: ${Object.keys(ADAPTERS).join(' or ')}`)
    .addHelpText('after', HELP)
    .action(async (agent: string) => {
      const adapter = ADAPTERS[agent];
      if (adapter === undefined) {
        process.stderr.write(`warden hook: unknown agent ${JSON.stringify(agent)}; use ${Object.keys(ADAPTERS).join(' or ')}\n`);
        process.exitCode = 1;
        return;
      }
      const result = await runHook(adapter, await readStdin(), hookConfig());
      if (result.stdout) process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
}
