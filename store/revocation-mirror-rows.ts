/**
 * Reads the revocation log's ClickHouse mirror (the `revocations` table, 004_revocations.sql) for
 * the verifier, through whatever runs a SELECT and answers JSON rows: a ClickHouse handle
 * (`selectThrough`) or a running Warden's `POST /api/v1/query`. Pages are keyed by hash (not
 * OFFSET), so rows inserted while it reads do not shift a page; `WITH TIES` keeps duplicate rows
 * of one hash on one page. Every row is shape-checked. A missing table is
 * REVOCATION_MIRROR_MISSING, a malformed row REVOCATION_MIRROR_INVALID; other failures pass
 * through as the runner raised them.
 */
import type { ClickHouseHandle } from './open-clickhouse.js';
import { checkIdentifier } from './sql-template.js';
import { withStorageErrors } from './storage-errors.js';
import { PermanentError, WardenError } from '../lib/errors.js';
import type { MirrorRow } from '../respond/kill-switch/mirror-cross-check.js';

/** Runs one SELECT and resolves with its rows (JSONEachRow objects). */
export type RunSelect = (sql: string) => Promise<unknown[]>;

/** Rows per page; below the 10,000 rows `POST /api/v1/query` answers at most. */
export const MIRROR_PAGE_ROWS = 5_000;

const STRING_FIELDS = ['hash', 'prev_hash', 'tenant', 'session_id', 'action', 'at_ns', 'by', 'reason', 'finding_id'] as const;

/** A SELECT runner over a ClickHouse handle; failures are mapped storage errors. */
export function selectThrough(handle: ClickHouseHandle): RunSelect {
  return (sql) => withStorageErrors('read revocations', async () => (await handle.client.query({ query: sql, format: 'JSONEachRow' })).json<unknown>());
}

/** The mirror table of a handle's database. */
export function mirrorTable(database: string): string {
  return `${checkIdentifier(database, 'database')}.revocations`;
}

/** Every row of the mirror table (`revocations`, or `database.revocations`). */
export async function readMirrorRows(run: RunSelect, table: string, pageRows = MIRROR_PAGE_ROWS): Promise<MirrorRow[]> {
  const rows: MirrorRow[] = [];
  for (let after = ''; ; ) {
    const page = await selectPage(run, table, after, pageRows);
    for (const value of page) rows.push(checkRow(value));
    if (page.length < pageRows) return rows;
    after = rows[rows.length - 1]!.hash;
  }
}

async function selectPage(run: RunSelect, table: string, after: string, pageRows: number): Promise<unknown[]> {
  const sql = `SELECT hash, prev_hash, tenant, session_id, toString(action) AS action, toString(toUnixTimestamp64Nano(at)) AS at_ns, \`by\`, reason, finding_id
    FROM ${table} WHERE hash > ${stringLiteral(after)} ORDER BY hash LIMIT ${pageRows} WITH TIES`;
  try {
    return await run(sql);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const type = err instanceof WardenError ? err.details.clickhouse_type : undefined;
    if (type === 'UNKNOWN_TABLE' || type === 'UNKNOWN_DATABASE' || /\bUNKNOWN_(TABLE|DATABASE)\b/.test(message)) {
      throw new PermanentError('REVOCATION_MIRROR_MISSING', `ClickHouse has no ${table} table (has Warden ever started against this storage?)`, { cause: err });
    }
    throw err;
  }
}

function checkRow(value: unknown): MirrorRow {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const row = value as Record<string, unknown>;
    const bad = STRING_FIELDS.find((field) => typeof row[field] !== 'string');
    if (bad === undefined && /^\d+$/.test(row.at_ns as string)) {
      return Object.fromEntries(STRING_FIELDS.map((field) => [field, row[field]])) as unknown as MirrorRow;
    }
  }
  throw new PermanentError('REVOCATION_MIRROR_INVALID', `unexpected row from the revocations table: ${JSON.stringify(value)?.slice(0, 200)}`);
}

/** A ClickHouse string literal (hashes are hex, but an edited mirror may hold anything). */
function stringLiteral(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}
