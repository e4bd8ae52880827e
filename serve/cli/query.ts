/**
 * `warden query "<SELECT …>"`: runs one read-only SELECT against a running Warden's ClickHouse
 * through `POST /api/v1/query` and prints the rows (JSON lines, or a table with --table). The
 * query sees the token's tenant only; `--tenant` reads another one with a cross_tenant token.
 * When Warden cut the rows off at its limit, a note on stderr says so. The token comes from
 * --token, WARDEN_TOKEN, or the first admin token of the token file.
 */
import fs from 'node:fs';
import type { Command } from 'commander';
import { loadClientSettings } from '../../config/client-settings.js';
import { parseTokenFile } from '../../config/tokens.js';

export function resolveToken(explicit: string | undefined, tokensFile: string): string {
  if (explicit) return explicit;
  const fromEnv = loadClientSettings().token;
  if (fromEnv) return fromEnv;
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
    .option('--url <url>', 'Warden base URL (default WARDEN_URL or http://127.0.0.1:$WARDEN_HTTP_PORT)')
    .option('--token <token>', 'API token with the admin role (default WARDEN_TOKEN or the token file)')
    .option('--tenant <tenant>', 'read this tenant instead of the token\'s own (needs the cross_tenant role)')
    .option('--table', 'print a table instead of JSON lines')
    .action(async (sql: string, options: { url?: string; token?: string; tenant?: string; table?: boolean }) => {
      const client = loadClientSettings();
      const url = options.url ?? client.url;
      const token = resolveToken(options.token, client.tokensFile);
      const tenant = options.tenant ? `?tenant=${encodeURIComponent(options.tenant)}` : '';
      const response = await fetch(`${url}/api/v1/query${tenant}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ sql }),
      });
      const body = (await response.json().catch(() => ({}))) as { rows?: Record<string, unknown>[]; truncated?: boolean; error?: { code: string; message: string } };
      if (!response.ok || !body.rows) {
        process.stderr.write(`warden query: ${body.error?.code ?? response.status}: ${body.error?.message ?? 'failed'}\n`);
        process.exitCode = 1;
        return;
      }
      if (options.table) console.table(body.rows);
      else for (const row of body.rows) process.stdout.write(`${JSON.stringify(row)}\n`);
      if (body.truncated) process.stderr.write(`warden query: only the first ${body.rows.length} rows (WARDEN_QUERY_MAX_ROWS); narrow the query or add a LIMIT\n`);
    });
}
