/**
 * How a hook finds Warden and what it does when Warden does not answer, read from the
 * environment the agent runs hooks in:
 *
 *   WARDEN_URL             base URL (default http://127.0.0.1:$WARDEN_HTTP_PORT, port 4318)
 *   WARDEN_TOKEN           bearer token with the ingest role (optional on a loopback Warden)
 *   WARDEN_HOOK_FAIL       closed (default) | open: what a PreToolUse hook answers when Warden
 *                          is unreachable, times out or errors
 *   WARDEN_HOOK_TIMEOUT_MS per request (default 1500)
 *   OTEL_SERVICE_NAME      the agent id events carry (default: the adapter's, e.g. claude-code)
 *
 * The variables and their defaults are declared in config/settings.ts (`client` mode). A value
 * the hook cannot read falls back to its default rather than failing the agent's tool call.
 *
 * Fail closed by default: a kill switch that fails open is switched off by whatever takes Warden
 * (or the network to it) down — the moment it matters most. Fail open is for trying Warden out.
 */
import { CLIENT_DEFAULTS } from '../../config/client-defaults.js';

export type FailMode = 'open' | 'closed';

export interface HookConfig {
  url: string;
  token: string | undefined;
  fail: FailMode;
  timeoutMs: number;
  serviceName: string | undefined;
}

export const DEFAULT_HOOK_TIMEOUT_MS = CLIENT_DEFAULTS.WARDEN_HOOK_TIMEOUT_MS;

type Env = Record<string, string | undefined>;

export function hookConfig(env: Env = process.env): HookConfig {
  const url = (env.WARDEN_URL || `http://127.0.0.1:${env.WARDEN_HTTP_PORT || CLIENT_DEFAULTS.WARDEN_HTTP_PORT}`).replace(/\/+$/, '');
  const timeout = Number(env.WARDEN_HOOK_TIMEOUT_MS);
  return {
    url,
    token: env.WARDEN_TOKEN || undefined,
    fail: env.WARDEN_HOOK_FAIL?.trim().toLowerCase() === 'open' ? 'open' : CLIENT_DEFAULTS.WARDEN_HOOK_FAIL,
    timeoutMs: Number.isFinite(timeout) && timeout > 0 ? timeout : DEFAULT_HOOK_TIMEOUT_MS,
    serviceName: env.OTEL_SERVICE_NAME || undefined,
  };
}
