/**
 * `warden hook <agent> [event]` (claude-code, codex, copilot, cursor, windsurf, gemini): run by the
 * agent for each configured hook event, with the event JSON on stdin. Forwards the event to
 * Warden and, before a tool call, answers in the agent's own format (see harness/README.md for
 * each agent's configuration). `event` names the hook's event for agents whose payload does not
 * (Copilot's camelCase hooks: `warden hook copilot preToolUse`).
 */
import type { Command } from 'commander';
import { hookConfig } from '../../harness/hooks/hook-config.js';
import { runHook } from '../../harness/hooks/run-hook.js';
import { HOOK_ADAPTERS as ADAPTERS } from '../../harness/hooks/adapters.js';

const HELP = `
Environment:
  WARDEN_URL              Warden base URL (default http://127.0.0.1:$WARDEN_HTTP_PORT, port 4318)
  WARDEN_TOKEN            token with the ingest role (optional on a loopback-bound Warden)
  WARDEN_HOOK_FAIL        closed (default): deny tool calls while Warden is unreachable; open: allow them
  WARDEN_HOOK_TIMEOUT_MS  per request (default 1500; keep it well below the agent's own hook timeout)

Example (what the agent does):
  echo '{"session_id":"s1","hook_event_name":"PreToolUse","tool_name":"Bash",
         "tool_input":{"command":"ls"},"tool_use_id":"toolu_1","cwd":"/repo"}' | warden hook claude-code
  echo '{"sessionId":"s2","cwd":"/repo","toolName":"bash","toolArgs":"{\\"command\\":\\"ls\\"}"}' | warden hook copilot preToolUse`;

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function registerHookCommand(program: Command): void {
  program
    .command('hook')
    .description('agent hook adapter: forward the hook event on stdin to Warden, deny the tool call when Warden says so')
    .argument('<agent>', `agent: ${Object.keys(ADAPTERS).join(', ')}`)
    .argument('[event]', "the hook's event, for payloads that name none (Copilot's camelCase hooks)")
    .addHelpText('after', HELP)
    .action(async (agent: string, event: string | undefined) => {
      const adapter = ADAPTERS[agent];
      if (adapter === undefined) {
        process.stderr.write(`warden hook: unknown agent ${JSON.stringify(agent)}; use ${Object.keys(ADAPTERS).join(', ')}\n`);
        process.exitCode = 1;
        return;
      }
      const result = await runHook(adapter, await readStdin(), hookConfig(), event);
      if (result.stdout) process.stdout.write(result.stdout);
      if (result.stderr) process.stderr.write(result.stderr);
      process.exitCode = result.exitCode;
    });
}
