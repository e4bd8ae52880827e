/**
 * The part of ClickHouse's HTTP interface that @clickhouse/client uses, answered by the embedded
 * engine (pooled-engine.ts) — for tests that need one ClickHouse shared by several processes
 * where no ClickHouse server can run. Not a ClickHouse server: chdb executes every statement.
 *
 * - `GET /ping` and `GET /` without a query: `Ok.`
 * - `POST /` (or GET): the SQL is the `query` URL parameter followed by a newline and the body
 *   (inserts: `INSERT … FORMAT …` in `query`, the rows in the body), or the body alone. URL
 *   parameters: `database`, `default_format` (TabSeparated), `query_id`, `param_<name>`
 *   (`{name:Type}` values as text), the interface's own (`wait_end_of_query`, `user`, `password`,
 *   `session_id`, …, accepted and not applied), everything else a setting for this statement.
 *   A body sent with `Content-Encoding: gzip|deflate|br` is decompressed; with the setting
 *   `enable_http_compression=1` and an `Accept-Encoding` naming gzip, the answer is gzipped.
 * - Answers carry `X-ClickHouse-Query-Id`, `X-ClickHouse-Format`, `X-ClickHouse-Timezone` and
 *   `X-ClickHouse-Summary` (read/result counts and elapsed time the engine reports; the engine
 *   does not report rows written, so those are 0). A failed statement answers a non-200 status
 *   chosen from its exception code as the server chooses it, the header
 *   `X-ClickHouse-Exception-Code`, and the engine's text `Code: N. DB::Exception: … (TYPE)`
 *   followed by ` (version …)` as a server writes it.
 * - Not supported, answered as an error rather than misread: multipart bodies (the client's
 *   `use_multipart_params`), sessions (`session_id` is accepted but every request is its own
 *   session, as without one), and compressed ClickHouse-native bodies (`decompress=1`).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { EngineError, PooledEngine, type Statement } from './pooled-engine.js';

/** URL parameters of the HTTP interface that are not settings (as ClickHouse's HTTPHandler reads them). */
const INTERFACE_PARAMS = new Set([
  'query',
  'database',
  'default_format',
  'query_id',
  'user',
  'password',
  'quota_key',
  'session_id',
  'session_timeout',
  'session_check',
  'close_session',
  'stacktrace',
  'role',
  'compress',
  'decompress',
  'buffer_size',
  'wait_end_of_query',
  'client_protocol_version',
]);

/** ClickHouse's exception codes → the HTTP status its server answers with (HTTPHandler's exceptionCodeToHTTPStatus). */
const STATUS_BY_CODE: ReadonlyMap<number, number> = new Map([
  // authentication
  [194, 401], [193, 401], [516, 401], [195, 403], [192, 403], [497, 403], [164, 403], [41, 403],
  // the request
  [62, 400], [27, 400], [26, 400], [6, 400], [69, 400], [72, 400], [53, 400], [38, 400], [36, 400], [115, 400],
  [33, 400], [117, 400], [70, 400], [25, 400], [32, 400], [42, 400], [43, 400], [44, 400], [47, 400], [49, 400],
  [59, 400], [63, 400], [468, 400], [173, 400], [232, 400], [457, 400],
  // not found
  [60, 404], [81, 404], [46, 404], [73, 404], [74, 404], [86, 404],
  [113, 413], [101, 411], [48, 501], [209, 408], [159, 408],
  [202, 503], [203, 503], [241, 507],
]);

/** ClickHouse's default http_max_uri_size. */
const MAX_URI_BYTES = 1_048_576;

const gunzip = promisify(zlib.gunzip);
const inflate = promisify(zlib.inflate);
const brotli = promisify(zlib.brotliDecompress);
const gzip = promisify(zlib.gzip);

function contentType(format: string): string {
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (/^(TSV|TabSeparated)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) return 'text/csv; charset=UTF-8; header=absent';
  return 'text/plain; charset=UTF-8';
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  switch ((req.headers['content-encoding'] ?? '').toLowerCase()) {
    case '':
    case 'identity':
      return raw;
    case 'gzip':
      return gunzip(raw);
    case 'deflate':
      return inflate(raw);
    case 'br':
      return brotli(raw);
    default:
      throw new EngineError(`Code: 48. DB::Exception: Unknown HTTP Content-Encoding ${String(req.headers['content-encoding'])} (this stand-in reads gzip, deflate, br). (NOT_IMPLEMENTED)`);
  }
}

/** The statement a request asks for, read as ClickHouse's HTTP interface reads it. */
export async function statementOf(req: IncomingMessage, url: URL): Promise<Statement> {
  if ((req.headers['content-type'] ?? '').startsWith('multipart/')) {
    throw new EngineError('Code: 48. DB::Exception: multipart/form-data requests are not supported by this stand-in. (NOT_IMPLEMENTED)');
  }
  if (url.searchParams.get('decompress') === '1') {
    throw new EngineError('Code: 48. DB::Exception: compressed native bodies (decompress=1) are not supported by this stand-in. (NOT_IMPLEMENTED)');
  }
  const body = req.method === 'POST' ? (await readBody(req)).toString('utf8') : '';
  const inParam = url.searchParams.get('query');
  const sql = inParam !== null ? (body === '' ? inParam : `${inParam}\n${body}`) : body;
  if (sql.trim() === '') throw new EngineError('Code: 62. DB::Exception: Empty query. (SYNTAX_ERROR)');
  const settings: Record<string, string> = {};
  const params: Record<string, string> = {};
  for (const [name, value] of url.searchParams) {
    if (name.startsWith('param_')) params[name.slice('param_'.length)] = value;
    else if (!INTERFACE_PARAMS.has(name)) settings[name] = value;
  }
  return { sql, database: url.searchParams.get('database') ?? '', settings, params, format: url.searchParams.get('default_format') ?? 'TabSeparated' };
}

function errorParts(err: unknown): { code: number; text: string } {
  const message = err instanceof Error ? err.message : String(err);
  const code = /^Code: (\d+)\./.exec(message)?.[1];
  if (code) return { code: Number(code), text: message.trim() };
  return { code: 1001, text: `Code: 1001. DB::Exception: ${message.trim()}. (STD_EXCEPTION)` };
}

export interface HttpInterfaceOptions {
  engine: PooledEngine;
  host?: string;
  port?: number;
}

export async function serveHttpInterface({ engine, host = '127.0.0.1', port = 0 }: HttpInterfaceOptions): Promise<{ url: string; close(): Promise<void> }> {
  const version = await engine.version();
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://engine');
    if (req.method === 'GET' && (url.pathname === '/ping' || (url.pathname === '/' && !url.searchParams.has('query')))) {
      res.writeHead(200, { 'content-type': 'text/html; charset=UTF-8' }).end('Ok.\n');
      return;
    }
    const queryId = url.searchParams.get('query_id') || randomUUID();
    const common = { 'x-clickhouse-query-id': queryId, 'x-clickhouse-timezone': 'UTC', 'x-clickhouse-server-display-name': 'chdb-over-http' };
    if (url.pathname !== '/' || (req.method !== 'POST' && req.method !== 'GET')) {
      res.writeHead(404, { ...common, 'x-clickhouse-exception-code': '0' }).end(`Code: 0. DB::Exception: no handler for ${req.method} ${url.pathname}. (UNKNOWN_EXCEPTION)\n`);
      return;
    }
    try {
      const statement = await statementOf(req, url);
      const result = await engine.run(statement);
      const format = /\bFORMAT\s+([A-Za-z0-9_]+)\s*;?\s*$/i.exec(statement.sql)?.[1] ?? statement.format;
      const summary = {
        read_rows: String(result.rowsRead),
        read_bytes: String(result.bytesRead),
        written_rows: '0',
        written_bytes: '0',
        total_rows_to_read: '0',
        result_rows: String(result.rowsRead),
        result_bytes: String(result.bytes.byteLength),
        elapsed_ns: String(Math.round(result.elapsedSeconds * 1e9)),
      };
      let payload = Buffer.from(result.bytes.buffer, result.bytes.byteOffset, result.bytes.byteLength);
      const headers: Record<string, string> = { ...common, 'x-clickhouse-format': format, 'content-type': contentType(format), 'x-clickhouse-summary': JSON.stringify(summary) };
      if (statement.settings.enable_http_compression === '1' && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
        payload = await gzip(payload);
        headers['content-encoding'] = 'gzip';
      }
      res.writeHead(200, headers).end(payload);
    } catch (err) {
      const { code, text } = errorParts(err);
      res
        .writeHead(STATUS_BY_CODE.get(code) ?? 500, { ...common, 'x-clickhouse-exception-code': String(code), 'content-type': 'text/plain; charset=UTF-8' })
        .end(`${text} (version ${version})\n`);
    }
  };
  // ClickHouse reads URLs up to http_max_uri_size (1 MiB by default): bound arrays travel there.
  const server = http.createServer({ maxHeaderSize: MAX_URI_BYTES }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'x-clickhouse-exception-code': '1001' });
      res.end(`Code: 1001. DB::Exception: ${String(err)}. (STD_EXCEPTION)\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  const bound = typeof address === 'object' && address !== null ? address.port : port;
  return {
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
