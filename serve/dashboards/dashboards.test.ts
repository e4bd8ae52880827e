/**
 * The Grafana dashboards are code: every dashboard must parse, use the provisioned ClickHouse data
 * source, and every panel's SQL must run on the real ClickHouse engine (embedded, through chdb)
 * against Warden's tables. Grafana macros and template variables are expanded first, the way the
 * ClickHouse data source plugin expands them, so a broken query fails here, not in front of an
 * operator during an incident.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from '@clickhouse/client';
import { migrate, openClickHouse, type ClickHouseHandle } from '../../store/index.js';
import { silentLogger } from '../../lib/logger.js';
import { parse as parseYaml } from 'yaml';

const DIR = path.dirname(fileURLToPath(import.meta.url));
const PLUGIN_TYPE = 'grafana-clickhouse-datasource';
const DATABASE = 'warden';

// ---------------------------------------------------------------------------------------------
// Loading dashboards and provisioning
// ---------------------------------------------------------------------------------------------
interface DataSourceRef {
  type?: string;
  uid?: string;
}
interface Target {
  refId?: string;
  datasource?: DataSourceRef;
  editorType?: string;
  queryType?: string;
  format?: number;
  rawSql?: string;
}
interface Panel {
  id?: number;
  type: string;
  title?: string;
  datasource?: DataSourceRef | null;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  datasource?: DataSourceRef;
  query?: unknown;
}
interface Dashboard {
  uid?: string;
  title?: string;
  panels?: Panel[];
  templating?: { list?: Variable[] };
}
interface Query {
  where: string;
  sql: string;
  timeSeries: boolean;
}

const dashboardFiles = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

function loadDashboard(file: string): Dashboard {
  return JSON.parse(readFileSync(path.join(DIR, file), 'utf8')) as Dashboard;
}

function provisionedDataSource(): { uid: string; type: string; database: string } {
  const doc = parseYaml(readFileSync(path.join(DIR, 'provisioning/datasources/clickhouse.yaml'), 'utf8')) as {
    datasources: { uid: string; type: string; jsonData: { defaultDatabase: string } }[];
  };
  assert.equal(doc.datasources.length, 1, 'one provisioned data source');
  const [ds] = doc.datasources;
  return { uid: ds.uid, type: ds.type, database: ds.jsonData.defaultDatabase };
}

function allPanels(panels: Panel[] = []): Panel[] {
  return panels.flatMap((p) => [p, ...allPanels(p.panels)]);
}

function queriesOf(file: string, dashboard: Dashboard): Query[] {
  const queries: Query[] = [];
  for (const panel of allPanels(dashboard.panels)) {
    for (const t of panel.targets ?? []) {
      if (t.rawSql === undefined) continue;
      queries.push({ where: `${file} › panel "${panel.title}" (${t.refId})`, sql: t.rawSql, timeSeries: t.format === 0 });
    }
  }
  for (const v of dashboard.templating?.list ?? []) {
    if (v.type !== 'query') continue;
    const q = v.query as { rawSql?: string } | string | undefined;
    const sql = typeof q === 'string' ? q : q?.rawSql;
    if (sql) queries.push({ where: `${file} › variable $${v.name}`, sql, timeSeries: false });
  }
  return queries;
}

// ---------------------------------------------------------------------------------------------
// Macro and variable expansion (as the ClickHouse data source plugin does it)
// ---------------------------------------------------------------------------------------------
const NOW_S = Math.floor(Date.now() / 1000);
const RANGE = { from: NOW_S - 3600, to: NOW_S + 60 };
const INTERVAL_S = 60;

function expandMacros(sql: string): string {
  const dt = (s: number) => `toDateTime(${s})`;
  const dt64 = (s: number) => `fromUnixTimestamp64Milli(${s * 1000})`;
  const date = (s: number) => `toDate('${new Date(s * 1000).toISOString().slice(0, 10)}')`;
  return sql
    .replace(/\$__timeFilter_ms\(([^)]+)\)/g, (_, c: string) => `${c} >= ${dt64(RANGE.from)} AND ${c} <= ${dt64(RANGE.to)}`)
    .replace(/\$__timeFilter\(([^)]+)\)/g, (_, c: string) => `${c} >= ${dt(RANGE.from)} AND ${c} <= ${dt(RANGE.to)}`)
    .replace(/\$__dateFilter\(([^)]+)\)/g, (_, c: string) => `${c} >= ${date(RANGE.from)} AND ${c} <= ${date(RANGE.to)}`)
    .replace(/\$__timeInterval_ms\(([^)]+)\)/g, (_, c: string) => `toStartOfInterval(toDateTime64(${c}, 3), INTERVAL ${INTERVAL_S * 1000} millisecond)`)
    .replace(/\$__timeInterval\(([^)]+)\)/g, (_, c: string) => `toStartOfInterval(toDateTime(${c}), INTERVAL ${INTERVAL_S} second)`)
    .replace(/\$__fromTime_ms\b/g, dt64(RANGE.from))
    .replace(/\$__toTime_ms\b/g, dt64(RANGE.to))
    .replace(/\$__fromTime\b/g, dt(RANGE.from))
    .replace(/\$__toTime\b/g, dt(RANGE.to))
    .replace(/\$__interval_s\b/g, String(INTERVAL_S));
}

/** Grafana's `${var:sqlstring}` quotes and escapes; `${var}` and `$var` insert the raw value. */
function expandVariables(sql: string, values: Record<string, string>): string {
  const value = (name: string): string => {
    assert.ok(name in values, `unknown template variable $${name}`);
    return values[name];
  };
  return sql
    .replace(/\$\{(\w+):sqlstring\}/g, (_, n: string) => `'${value(n).replace(/\\/g, '\\\\').replace(/'/g, "''")}'`)
    .replace(/\$\{(\w+)(?::raw)?\}/g, (_, n: string) => value(n))
    .replace(/\$(?!__)(\w+)/g, (_, n: string) => value(n));
}

function expand(sql: string, values: Record<string, string>): string {
  const out = expandVariables(expandMacros(sql), values);
  assert.doesNotMatch(stripLiterals(out), /\$/, `unexpanded macro or variable left in:\n${out}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Loose static check: which tables and columns does a query name?
// ---------------------------------------------------------------------------------------------
const KEYWORDS = new Set(
  `select from where and or not as group by order limit having desc asc array join left inner
   interval second minute hour day distinct in is null true false like ilike case when then else
   end on using with final offset between all any prewhere settings format union nulls first last`
    .split(/\s+/)
    .filter(Boolean),
);

/** Replaces string literals and comments with placeholders so their contents are not read as names. */
function stripLiterals(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/'(?:[^'\\]|\\.|'')*'/g, "''");
}

function namesIn(sql: string): { tables: Set<string>; names: Set<string> } {
  const text = stripLiterals(sql);
  const tokens = [...text.matchAll(/`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*)|(\d+(?:\.\d+)?)|(\S)/g)].map((m) => ({
    quoted: m[1],
    word: m[2],
    other: m[3] ?? m[4],
    end: (m.index ?? 0) + m[0].length,
  }));
  const tables = new Set<string>();
  const aliases = new Set<string>();
  const candidates: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i];
    const name = tok.quoted ?? tok.word;
    if (name === undefined) continue;
    const lower = name.toLowerCase();
    const prev = tokens[i - 1]?.word?.toLowerCase();
    const prev2 = tokens[i - 2]?.word?.toLowerCase();
    if (tok.word !== undefined && KEYWORDS.has(lower)) continue;
    if (prev === 'as') {
      aliases.add(name);
      continue;
    }
    if (prev === 'from' || (prev === 'join' && prev2 !== 'array')) {
      tables.add(name);
      continue;
    }
    if (tok.word !== undefined && /^\s*\(/.test(text.slice(tok.end))) continue; // function call
    candidates.push(name);
  }
  return { tables, names: new Set(candidates.filter((n) => !aliases.has(n))) };
}

// ---------------------------------------------------------------------------------------------
// Sample data: one session that did something destructive, was flagged and revoked
// ---------------------------------------------------------------------------------------------
const SESSION = "sess-1'quoted"; // a quote in the id proves that ${session_id:sqlstring} escapes
const TENANT = 'acme';
const iso = (s: number) => new Date(s * 1000).toISOString().replace('T', ' ').replace('Z', '');

async function insertSamples(client: ClickHouseClient): Promise<void> {
  const t0 = NOW_S - 600;
  const base = {
    tenant: TENANT, session_id: SESSION, agent_id: 'claude-code', user_id: 'dev@example.com', tool: 'Bash',
    arguments: '', cwd: '/repo', decision: '', status: 'ok', exit_code: 0, error_type: '', redactions: 0,
  };
  await client.insert({
    table: 'audit_events',
    format: 'JSONEachRow',
    values: [
      { ...base, event_id: 'e1', phase: 'intent', tool_call_id: 'c1', command: 'rm -rf build', targets: ['/repo/build'], action_class: 'file.delete', rule_ids: ['rm-recursive'], destructive: true, reversible: false, status: '', exit_code: null, time: iso(t0) },
      { ...base, event_id: 'e2', phase: 'execution', tool_call_id: 'c1', command: 'rm -rf build', targets: ['/repo/build'], action_class: 'file.delete', rule_ids: ['rm-recursive'], destructive: true, reversible: false, time: iso(t0 + 1) },
      { ...base, event_id: 'e3', phase: 'execution', tool_call_id: 'c2', command: 'kubectl delete ns staging', targets: ['k8s://prod/staging'], action_class: 'k8s.delete', rule_ids: ['kubectl-delete-ns'], destructive: true, reversible: false, redactions: 2, time: iso(t0 + 5) },
      { ...base, event_id: 'e4', phase: 'execution', tool: 'Read', tool_call_id: 'c3', command: '', arguments: '{"file_path":"/repo/README.md"}', targets: ['/repo/README.md'], action_class: '', rule_ids: [], destructive: false, reversible: true, time: iso(t0 + 9) },
    ],
  });
  await client.insert({
    table: 'sessions',
    format: 'JSONEachRow',
    values: [
      { tenant: TENANT, session_id: SESSION, agent_id: 'claude-code', user_id: 'dev@example.com', goal: 'clean up the build', environment: 'dev', state: 'active', first_seen: iso(t0), last_seen: iso(t0 + 9), version: 1 },
      { tenant: TENANT, session_id: SESSION, agent_id: 'claude-code', user_id: 'dev@example.com', goal: 'clean up the build', environment: 'dev', state: 'revoked', first_seen: iso(t0), last_seen: iso(t0 + 9), version: 2 },
    ],
  });
  await client.insert({
    table: 'findings',
    format: 'JSONEachRow',
    values: [{ id: 'f1', tenant: TENANT, session_id: SESSION, agent_id: 'claude-code', detector: 'scope_drift', severity: 'critical', score: 0.97, title: 'deleted a namespace outside the declared scope', explanation: 'k8s://prod/staging is not in scope', evidence: ['e3'], at: iso(t0 + 6) }],
  });
  await client.insert({
    table: 'gate_decisions',
    format: 'JSONEachRow',
    values: [
      { decision_id: 'gd_1', event_id: 'e5', tenant: TENANT, session_id: SESSION, agent_id: 'claude-code', tool: 'Bash', tool_call_id: 'c4', command: 'kubectl delete ns prod', targets: ['k8s://prod/prod'], action_class: 'k8s.delete', decision: 'deny', would_be: 'deny', mode: 'enforce', reason: 'scope_drift (critical): never-touch target', detector: 'scope_drift', severity: 'critical', finding_id: 'f2', finding_ids: ['f2'], latency_us: 850, at: iso(t0 + 7) },
      { decision_id: 'gd_2', event_id: 'e6', tenant: TENANT, session_id: SESSION, agent_id: 'claude-code', tool: 'Bash', tool_call_id: 'c5', command: 'ls', targets: [], action_class: '', decision: 'allow', would_be: 'allow', mode: 'enforce', reason: 'no detector objects', detector: '', severity: 'none', finding_id: '', finding_ids: [], latency_us: 300, at: iso(t0 + 8) },
    ],
  });
  await client.insert({
    table: 'revocations',
    format: 'JSONEachRow',
    values: [{ tenant: TENANT, session_id: SESSION, action: 'revoke', at: iso(t0 + 6), by: 'detector:scope_drift', reason: 'scope drift', finding_id: 'f1' }],
  });
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------
describe('Grafana dashboards', () => {
  const ds = provisionedDataSource();
  const dashboards = dashboardFiles.map((f) => ({ file: f, dashboard: loadDashboard(f) }));

  test('the provisioned data source is the ClickHouse plugin on the warden database', () => {
    assert.equal(ds.type, PLUGIN_TYPE);
    assert.equal(ds.uid, 'warden-clickhouse');
    assert.equal(ds.database, DATABASE);
  });

  test('the dashboard provider loads this folder', () => {
    const doc = parseYaml(readFileSync(path.join(DIR, 'provisioning/dashboards/warden.yaml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    assert.equal(doc.providers.length, 1);
    assert.equal(doc.providers[0].type, 'file');
    assert.ok(doc.providers[0].options.path, 'provider has a path');
  });

  test('there are dashboards, each with a unique uid and a title', () => {
    assert.deepEqual(dashboardFiles, ['warden-overview.json', 'warden-session.json']);
    const uids = new Set<string>();
    for (const { file, dashboard } of dashboards) {
      assert.match(dashboard.uid ?? '', /^[A-Za-z0-9_-]{1,40}$/, `${file}: uid`);
      assert.ok(dashboard.title, `${file}: title`);
      assert.ok(!uids.has(dashboard.uid!), `${file}: duplicate uid ${dashboard.uid}`);
      uids.add(dashboard.uid!);
    }
  });

  test('every panel and query uses the provisioned ClickHouse data source with raw SQL', () => {
    for (const { file, dashboard } of dashboards) {
      const panels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
      assert.ok(panels.length > 0, `${file}: has panels`);
      for (const p of panels) {
        const where = `${file} › panel "${p.title}"`;
        assert.deepEqual(p.datasource, { type: PLUGIN_TYPE, uid: ds.uid }, `${where}: datasource`);
        assert.ok((p.targets ?? []).length > 0, `${where}: has a query`);
        for (const t of p.targets ?? []) {
          assert.deepEqual(t.datasource, { type: PLUGIN_TYPE, uid: ds.uid }, `${where}: target datasource`);
          assert.equal(t.editorType, 'sql', `${where}: SQL editor`);
          assert.ok(t.rawSql && t.rawSql.trim() !== '', `${where}: rawSql`);
          const expected = t.format === 0 ? 'timeseries' : 'table';
          assert.ok(t.format === 0 || t.format === 1, `${where}: format is time series (0) or table (1)`);
          assert.equal(t.queryType, expected, `${where}: queryType matches format`);
        }
      }
      for (const v of dashboard.templating?.list ?? []) {
        if (v.type === 'query') assert.deepEqual(v.datasource, { type: PLUGIN_TYPE, uid: ds.uid }, `${file} › $${v.name}`);
      }
    }
  });

  describe('SQL on the embedded ClickHouse engine', () => {
    let dir = '';
    let handle: ClickHouseHandle | undefined;
    let client: ClickHouseClient;
    const columns = new Map<string, Set<string>>();
    const queries = dashboards.flatMap(({ file, dashboard }) => queriesOf(file, dashboard));
    // Each query runs with every variable value listed here (tenant: all tenants and one tenant).
    const variableSets: Record<string, string>[] = [
      { tenant: '__all', session_id: SESSION },
      { tenant: TENANT, session_id: SESSION },
    ];

    before(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'warden-dashboards-'));
      // Warden's own schema, created by its migrations: a renamed column fails here. The handle
      // makes Warden's database the default one, as Grafana's defaultDatabase does for the panels.
      handle = await openClickHouse({ dataPath: dir, database: DATABASE, logger: silentLogger });
      await migrate(handle);
      client = handle.client;
      await insertSamples(client);
      const rs = await client.query({
        query: 'SELECT table, name FROM system.columns WHERE database = {db:String}',
        query_params: { db: DATABASE },
        format: 'JSONEachRow',
      });
      for (const { table, name } of await rs.json<{ table: string; name: string }>()) {
        if (!columns.has(table)) columns.set(table, new Set());
        columns.get(table)!.add(name);
      }
    });

    after(async () => {
      await handle?.close();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    test('dashboards have queries to check', () => {
      assert.ok(queries.length >= 10, `found ${queries.length} queries`);
    });

    for (const q of queries) {
      test(`${q.where}: names only known tables and columns`, () => {
        const { tables, names } = namesIn(expand(q.sql, variableSets[0]));
        assert.ok(tables.size > 0, 'reads from a table');
        for (const t of tables) assert.ok(columns.has(t), `unknown table ${t}`);
        const known = new Set([...tables].flatMap((t) => [...(columns.get(t) ?? [])]));
        const unknown = [...names].filter((n) => !known.has(n));
        assert.deepEqual(unknown, [], `names that are neither columns of ${[...tables].join(', ')} nor aliases`);
      });

      test(`${q.where}: runs and returns rows`, async () => {
        for (const values of variableSets) {
          const sql = expand(q.sql, values);
          let result: { meta: { name: string; type: string }[]; rows: number };
          try {
            const rs = await client.query({ query: sql, format: 'JSON' });
            result = (await rs.json()) as typeof result;
          } catch (err) {
            assert.fail(`${(err as Error).message}\n--- SQL (expanded) ---\n${sql}`);
          }
          assert.ok(result.rows > 0, `no rows with ${JSON.stringify(values)}:\n${sql}`);
          if (q.timeSeries) {
            assert.match(result.meta[0].type, /^DateTime/, 'a time series query returns the time first');
            assert.ok(result.meta.length >= 2, 'a time series query returns values');
          }
        }
      });
    }
  });
});
