/**
 * `warden query "<SELECT …>"`: runs a read-only query against a running Warden's ClickHouse
 * through `POST /api/v1/query` and prints the rows (JSON lines, or a table with --table).
 * The token comes from --token, WARDEN_TOKEN, or the first admin token of the token file.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../config/config.js';
import { parseTokenFile } from '../config/tokens.js';

export function resolveToken(explicit: string | undefined, tokensFile: string): string {
  if (explicit) return explicit;
  if (process.env.WARDEN_TOKEN) return process.env.WARDEN_TOKEN;
  if (fs.existsSync(tokensFile)) {
    const admin = parseTokenFile(fs.readFileSync(tokensFile, 'utf8'), tokensFile).find((t) => t.roles.includes('admin'));
    if (admin) return admin.token;
  }
  throw new Error(`no token: pass --token, set WARDEN_TOKEN, or run where ${tokensFile} exists`);
}

export function registerQueryCommand(program: Command): void {
  program
    .command('query')
    .description('run a read-only SQL query against a running Warden (e.g. "SELECT count() FROM audit_events")')
    .argument('<sql>', 'one SELECT statement')
    .option('--url <url>', 'Warden base URL (default http://127.0.0.1:$WARDEN_HTTP_PORT)')
    .option('--token <token>', 'API token with the admin role (default WARDEN_TOKEN or the token file)')
    .option('--table', 'print a table instead of JSON lines')
    .action(async (sql: string, options: { url?: string; token?: string; table?: boolean }) => {
      const config = loadConfig();
      const url = options.url ?? `http://127.0.0.1:${config.http.port}`;
      const token = resolveToken(options.token, config.tokensFile);
      const response = await fetch(`${url}/api/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql }),
      });
      const body = (await response.json()) as { rows?: Record<string, unknown>[]; error?: { code: string; message: string } };
      if (!response.ok || !body.rows) {
        process.stderr.write(`warden query: ${body.error?.code ?? response.status}: ${body.error?.message ?? 'failed'}\n`);
        process.exitCode = 1;
        return;
      }
      if (options.table) console.table(body.rows);
      else for (const row of body.rows) process.stdout.write(`${JSON.stringify(row)}\n`);
    });
}
