// Warden's OpenCode plugin: copy into `.opencode/plugins/` (project) or
// `~/.config/opencode/plugins/` (all projects); OpenCode loads it at startup (`warden connect
// opencode` writes it). Plain JavaScript with no imports, so OpenCode runs it as it is.
//
// Contract: on `tool.execute.before` it posts the call (tool, sessionID, callID, args, the
// project directory) to Warden's hook endpoint, `POST {WARDEN_URL}/api/v1/hooks/opencode`, and
// returns when Warden allows it; otherwise it throws an Error with Warden's reason — OpenCode then
// fails the tool call and the model sees the reason. OpenCode cannot ask a person from a plugin,
// so a call the gate would stage for approval is denied saying a person must approve it. When
// Warden cannot be reached, times out or answers with an error, WARDEN_HOOK_FAIL decides:
// `closed` (default) throws, `open` lets the call through with a warning on stderr. On
// `tool.execute.after` it reports the execution (never throws: the call already ran).
//
// Environment (read when OpenCode loads the plugin): WARDEN_URL (default http://127.0.0.1:4318),
// WARDEN_TOKEN (a token with the ingest role), WARDEN_HOOK_FAIL (closed | open),
// WARDEN_HOOK_TIMEOUT_MS (1500). `createWardenPlugin(options)` takes the same settings directly.

/**
 * @param {{ url?: string, token?: string, fail?: 'closed' | 'open', timeoutMs?: number, warn?: (line: string) => void }} [options]
 */
export function createWardenPlugin(options = {}) {
  const env = typeof process === 'undefined' ? {} : process.env;
  const url = (options.url ?? env.WARDEN_URL ?? `http://127.0.0.1:${env.WARDEN_HTTP_PORT ?? '4318'}`).replace(/\/+$/, '');
  const token = options.token ?? env.WARDEN_TOKEN ?? '';
  const fail = (options.fail ?? env.WARDEN_HOOK_FAIL) === 'open' ? 'open' : 'closed';
  const timeoutMs = options.timeoutMs ?? (Number(env.WARDEN_HOOK_TIMEOUT_MS) > 0 ? Number(env.WARDEN_HOOK_TIMEOUT_MS) : 1500);
  const warn = options.warn ?? ((line) => console.error(line));

  /** Posts one hook call; resolves with Warden's answer, throws when Warden did not answer. */
  async function post(body) {
    const headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    let response;
    try {
      response = await globalThis.fetch(`${url}/api/v1/hooks/opencode?fail=closed`, {
        method: 'POST', headers, body: JSON.stringify(body), signal: globalThis.AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const cause = err && err.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : String((err && err.cause) ?? err);
      throw new Error(`${url} unreachable: ${cause}`, { cause: err });
    }
    const text = await response.text().catch(() => '');
    if (!response.ok) throw new Error(`${url} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
    try {
      return JSON.parse(text);
    } catch {
      throw new Error(`${url} answered something that is not JSON: ${text.slice(0, 200)}`);
    }
  }

  /** The plugin, as OpenCode calls it: `({ directory, ... }) => hooks`. */
  return async function WardenPlugin(context = {}) {
    const directory = typeof context.directory === 'string' ? context.directory : '';
    return {
      'tool.execute.before': async (input, output) => {
        let answer;
        try {
          answer = await post({ hook: 'tool.execute.before', input, output: { args: output?.args }, directory });
        } catch (err) {
          const problem = err instanceof Error ? err.message : String(err);
          if (fail === 'open') {
            warn(`warden: ${problem} (WARDEN_HOOK_FAIL=open: allowed)`);
            return;
          }
          throw new Error(`Warden could not check this tool call (${problem}); tool calls are blocked until Warden answers (WARDEN_HOOK_FAIL=closed).`, { cause: err });
        }
        if (answer && answer.decision === 'allow') return;
        throw new Error(String(answer?.reason ?? 'Warden did not allow this tool call.'));
      },
      'tool.execute.after': async (input, output) => {
        const metadata = output && typeof output.metadata === 'object' && output.metadata !== null ? { exit: output.metadata.exit } : {};
        try {
          await post({ hook: 'tool.execute.after', input, output: { title: output?.title, metadata }, directory });
        } catch (err) {
          warn(`warden: the execution was not recorded (${err instanceof Error ? err.message : String(err)})`);
        }
      },
    };
  };
}

/** The plugin OpenCode loads, configured from the environment. */
export const WardenPlugin = createWardenPlugin();
