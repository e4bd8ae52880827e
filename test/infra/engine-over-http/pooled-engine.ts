/**
 * The embedded ClickHouse engine (chdb) as a pool of connections to one data directory, each
 * running one statement at a time the way ClickHouse's HTTP interface runs a request without a
 * session: the request's current database and settings, the statement, its `{name:Type}`
 * parameters bound by the engine from their text (the very strings a `param_name` URL parameter
 * carries), and afterwards the connection put back as it was — every setting the request (or a
 * SET in its SQL) changed restored, so nothing one request did reaches the next.
 *
 * chdb gives each connection its own session and runs connections in parallel; its parameter
 * binding is not isolated between connections (chdb serializes it process-wide), so statements
 * with parameters run one at a time here too. This is the real engine executing every statement;
 * it is not a ClickHouse server (no users, quotas, sessions, cluster or query log).
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

interface NativeResult {
  bytes: Uint8Array;
  elapsed: number;
  rowsRead: number;
  bytesRead: number;
}

interface ChdbSession {
  readonly connection: unknown;
  queryAsync(sql: string, opts?: { format?: string }): Promise<{ bytes(): Uint8Array; text(): string; elapsed: number; rowsRead: number; bytesRead: number }>;
  close(): void;
}

interface ChdbNative {
  /** The call chdb's own Session.queryBindAsync makes, after turning JS values into parameter text. */
  QueryAsyncConnection(connection: unknown, sql: string, format: string, params?: Record<string, string>): Promise<NativeResult>;
}

const chdbMain = require.resolve('chdb');
// chdb's public API types parameters as JS values and formats them itself; the HTTP interface
// receives them already as text. The native call underneath takes that text as it is.
const chdb = require(chdbMain) as { Session: new (dir: string) => ChdbSession };
const native = (require(path.join(path.dirname(chdbMain), 'dist', 'loader.js')) as { loadNative(): ChdbNative }).loadNative();

export interface Statement {
  sql: string;
  /** Current database ('' → `default`). */
  database: string;
  /** Settings for this statement only, as text. */
  settings: Record<string, string>;
  /** `{name:Type}` parameter values as text (the HTTP interface's `param_name`). */
  params: Record<string, string>;
  /** Output format when the SQL names none (the HTTP interface's `default_format`, TabSeparated by default). */
  format: string;
}

export interface StatementResult {
  bytes: Uint8Array;
  elapsedSeconds: number;
  rowsRead: number;
  bytesRead: number;
}

const SETTING_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const quoteString = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const quoteIdentifier = (s: string): string => `\`${s.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;

/** A statement's failure as the engine reported it: `Code: N. DB::Exception: … (TYPE)`. */
export class EngineError extends Error {}

class PooledConnection {
  private constructor(
    private readonly session: ChdbSession,
    /** Settings chdb itself changed on a new connection (name → value): what a restore goes back to. */
    private readonly baseline: Map<string, string>,
  ) {}

  static async open(dataPath: string): Promise<PooledConnection> {
    const session = new chdb.Session(dataPath);
    return new PooledConnection(session, await changedSettings(session));
  }

  async run(s: Statement, exclusive: <T>(fn: () => Promise<T>) => Promise<T>): Promise<StatementResult> {
    const names = Object.keys(s.settings);
    for (const n of names) if (!SETTING_NAME.test(n)) throw new EngineError(`Code: 115. DB::Exception: Unknown setting '${n}'. (UNKNOWN_SETTING)`);
    try {
      const set = names.map((n) => `${n} = ${quoteString(s.settings[n]!)}`).join(', ');
      await this.session.queryAsync(`USE ${quoteIdentifier(s.database || 'default')}${set ? `; SET ${set}` : ''}`, { format: 'TSV' });
      if (Object.keys(s.params).length > 0) {
        const raw = await exclusive(() => native.QueryAsyncConnection(this.session.connection, s.sql, s.format, s.params));
        return { bytes: raw.bytes, elapsedSeconds: raw.elapsed, rowsRead: raw.rowsRead, bytesRead: raw.bytesRead };
      }
      const result = await this.session.queryAsync(s.sql, { format: s.format });
      return { bytes: result.bytes(), elapsedSeconds: result.elapsed, rowsRead: result.rowsRead, bytesRead: result.bytesRead };
    } catch (err) {
      // What a failed statement had written (a FORMAT JSON envelope, say) comes out at the head
      // of the next statement's result on this connection: read it out before anything else.
      await this.session.queryAsync('SELECT 1', { format: 'TSV' }).catch(() => undefined);
      throw new EngineError(err instanceof Error ? err.message : String(err));
    } finally {
      await this.restore();
    }
  }

  /** Every setting now changed that was not changed so on a new connection goes back. */
  private async restore(): Promise<void> {
    const now = await changedSettings(this.session);
    const back: string[] = [];
    for (const [name, value] of now) {
      const was = this.baseline.get(name);
      if (was === undefined) back.push(`${name} = DEFAULT`);
      else if (was !== value) back.push(`${name} = ${quoteString(was)}`);
    }
    for (const [name, was] of this.baseline) if (!now.has(name)) back.push(`${name} = ${quoteString(was)}`);
    if (back.length > 0) await this.session.queryAsync(`SET ${back.join(', ')}`, { format: 'TSV' });
  }

  close(): void {
    this.session.close();
  }
}

async function changedSettings(session: ChdbSession): Promise<Map<string, string>> {
  const out = await session.queryAsync('SELECT name, value FROM system.settings WHERE changed FORMAT JSONCompactEachRow', { format: 'JSONCompactEachRow' });
  const rows = out
    .text()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as [string, string]);
  return new Map(rows);
}

export class PooledEngine {
  private readonly idle: PooledConnection[];
  private readonly waiting: Array<(c: PooledConnection) => void> = [];
  private paramChain: Promise<unknown> = Promise.resolve();
  private inFlight = 0;
  private drained: (() => void) | undefined;

  private constructor(connections: PooledConnection[]) {
    this.idle = connections;
  }

  static async open(dataPath: string, size: number): Promise<PooledEngine> {
    const connections: PooledConnection[] = [];
    for (let i = 0; i < size; i++) connections.push(await PooledConnection.open(dataPath));
    return new PooledEngine(connections);
  }

  /** The engine's version, as a server reports it in its error texts. */
  async version(): Promise<string> {
    const { bytes } = await this.run({ sql: 'SELECT version()', database: '', settings: {}, params: {}, format: 'TSV' });
    return Buffer.from(bytes).toString('utf8').trim();
  }

  async run(statement: Statement): Promise<StatementResult> {
    const connection = this.idle.pop() ?? (await new Promise<PooledConnection>((resolve) => this.waiting.push(resolve)));
    this.inFlight++;
    try {
      return await connection.run(statement, (fn) => this.exclusive(fn));
    } finally {
      this.inFlight--;
      const next = this.waiting.shift();
      if (next) next(connection);
      else this.idle.push(connection);
      if (this.inFlight === 0) this.drained?.();
    }
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.paramChain.then(fn);
    this.paramChain = run.catch(() => undefined);
    return run;
  }

  /** Waits for the statements running, then closes every connection. */
  async close(): Promise<void> {
    if (this.inFlight > 0) await new Promise<void>((resolve) => (this.drained = resolve));
    for (const c of this.idle) c.close();
    this.idle.length = 0;
  }
}
