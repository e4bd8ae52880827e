/**
 * What the commands that talk to a running Warden read (`warden sessions`, `query`, `revoke`, …):
 * where it listens and which token to use. Read as given, without the service's validation —
 * these commands check nothing of the service's settings, and load no schema library to start
 * fast. The variables are declared, with these defaults, in the settings schema (`client` and
 * `all` modes).
 */
import path from 'node:path';
import { CLIENT_DEFAULTS, defaultTokensFile } from './client-defaults.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface ClientSettings {
  /** WARDEN_URL, else http://127.0.0.1:<WARDEN_HTTP_PORT>. */
  url: string;
  /** WARDEN_TOKEN, when set. */
  token: string | undefined;
  /** WARDEN_TOKENS_FILE, else the data directory's token file (where an admin token may be found). */
  tokensFile: string;
}

const given = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

export function loadClientSettings(env: Env = process.env): ClientSettings {
  const port = given(env.WARDEN_HTTP_PORT) ?? String(CLIENT_DEFAULTS.WARDEN_HTTP_PORT);
  const dataDir = path.resolve(given(env.WARDEN_DATA_DIR) ?? CLIENT_DEFAULTS.WARDEN_DATA_DIR);
  return {
    url: given(env.WARDEN_URL) ?? `http://127.0.0.1:${port}`,
    token: given(env.WARDEN_TOKEN),
    tokensFile: path.resolve(given(env.WARDEN_TOKENS_FILE) ?? defaultTokensFile(dataDir)),
  };
}
