/**
 * Defaults of the settings the commands that talk to a running Warden read (`warden hook`, run
 * around every tool call; `sessions`, `query`, `revoke`, …), in a module without dependencies so
 * those commands load no schema library for them. The settings schema (`settings.ts`) declares
 * these variables with these values; they are declared nowhere else.
 */
import path from 'node:path';

export const CLIENT_DEFAULTS = {
  WARDEN_HTTP_PORT: 4318,
  WARDEN_DATA_DIR: '.warden-data',
  WARDEN_HOOK_FAIL: 'closed',
  WARDEN_HOOK_TIMEOUT_MS: 1_500,
} as const;

/** The token file when WARDEN_TOKENS_FILE is not set. */
export function defaultTokensFile(dataDir: string): string {
  return path.join(dataDir, 'tokens.yaml');
}
