/**
 * How every operator command reaches the API (the client itself: ../api/client.ts): where
 * Warden is (--url, WARDEN_URL, or http://127.0.0.1:$WARDEN_HTTP_PORT), which token to send
 * (--token, WARDEN_TOKEN, or the token file's admin token — see resolveToken), and one way to
 * report failures: API errors print `warden <command>: <CODE>: <message>` on stderr and exit 1.
 */
import type { Command } from 'commander';
import { loadClientSettings } from '../../config/client-settings.js';
import { resolveToken } from './query.js';
import { ApiRequestError, createApiClient, type ApiClient } from '../api/client.js';

export interface ConnectionOptions {
  url?: string;
  token?: string;
}

/** The client for an operator command, from its --url/--token options and the environment. */
export function operatorClient(options: ConnectionOptions): ApiClient {
  const client = loadClientSettings();
  return createApiClient(options.url ?? client.url, resolveToken(options.token, client.tokensFile));
}

/** Adds --url and --token to a command. */
export function withConnection(command: Command): Command {
  return command
    .option('--url <url>', 'Warden base URL (default WARDEN_URL or http://127.0.0.1:$WARDEN_HTTP_PORT)')
    .option('--token <token>', 'API token (default WARDEN_TOKEN or the admin token of the token file)');
}

/** Runs a command body; API and setup errors become one line on stderr and exit code 1. */
export async function reportErrors(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const text = err instanceof ApiRequestError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    process.stderr.write(`warden ${name}: ${text}\n`);
    process.exitCode = 1;
  }
}

/** `encodeURIComponent` for a session id in a path. */
export const sessionPath = (id: string, suffix = ''): string => `/api/v1/sessions/${encodeURIComponent(id)}${suffix}`;
