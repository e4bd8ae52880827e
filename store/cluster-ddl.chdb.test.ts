/**
 * The cluster translation of every migration file, checked by the embedded engine (chdb, the
 * same ClickHouse as a server) as far as one process without Keeper can check it:
 *
 *   * parsed: every translated statement goes through the engine's own parser (`formatQuery`),
 *     ON CLUSTER and Replicated engines included;
 *   * run: chdb is started with a one-shard cluster of itself (`remote_servers`, the shard local)
 *     and the `{shard}` / `{replica}` macros, and every statement runs in order with ON CLUSTER
 *     taken out (distributed DDL needs Keeper: chdb refuses it, shown below). A Replicated
 *     CREATE must fail with NO_ZOOKEEPER and nothing else — the engine checks the columns, the
 *     engine's arguments, the macros in the path, the sorting key, TTL, indexes and settings
 *     before it looks for Keeper (a wrong one fails differently) — and is then created with its
 *     single-server engine so the statements after it have their table. The Distributed tables,
 *     their sharding keys, the materialized views on the local tables, ALTERs on both tables,
 *     DROPs and the fills through the Distributed tables run for real.
 *   * then rows inserted through the Distributed `audit_events` reach the local table and the
 *     activity tables' views, read back through their Distributed tables.
 *
 * What cannot be checked here: replication itself, the DDL queue of ON CLUSTER, and more than
 * one shard (a view reading the Distributed table instead of the local one would still pass on
 * one shard; cluster-ddl.test.ts checks every view reads local tables).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Session } from 'chdb';
import { PermanentError } from '../lib/errors.js';
import { silentLogger } from '../lib/logger.js';
import { systemClock } from '../lib/clock.js';
import type { AuditEvent } from '../model/audit-event.js';
import { SessionRegistry } from '../detect/session/session-registry.js';
import { loadMigrations, migrate, planMigrations } from './migrations.js';
import { rebuildFromStore } from './session-rebuild.js';
import { openClickHouse, type ClickHouseHandle } from './open-clickhouse.js';

const CLUSTER = 'wc';
const ON_CLUSTER = ` ON CLUSTER ${CLUSTER}`;
/** Two shards that are both this process: every Distributed read sees each row twice, but a query that two shards refuse is refused. */
const TWO_SHARDS = 'wc2';
const CONFIG = `<clickhouse>
  <tcp_port>9000</tcp_port>
  <macros><shard>01</shard><replica>r1</replica></macros>
  <remote_servers>
    <${CLUSTER}><shard><replica><host>localhost</host><port>9000</port></replica></shard></${CLUSTER}>
    <${TWO_SHARDS}>
      <shard><replica><host>localhost</host><port>9000</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>9000</port></replica></shard>
    </${TWO_SHARDS}>
  </remote_servers>
</clickhouse>
`;

let dir: string;
let session: Session;
let handle: ClickHouseHandle;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-cluster-ddl-'));
  await writeFile(join(dir, 'config.xml'), CONFIG);
  // The first connection to a data directory starts the engine with its arguments; the client's
  // connection opened after it shares that engine (chdb binds one engine per directory).
  session = new Session(join(dir, 'data'), { connectionArgs: [`--config-file=${join(dir, 'config.xml')}`] });
  handle = await openClickHouse({ dataPath: join(dir, 'data'), database: 'warden', logger: silentLogger });
});
after(async () => {
  await handle?.close();
  session?.close();
  await rm(dir, { recursive: true, force: true });
});

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const rs = await handle.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return rs.json<T>();
}
const run = (query: string) => handle.client.command({ query });

/** The same CREATE with the engine's single-server form: `ReplicatedX('path', '{replica}', args)` → `X(args)`. */
function unreplicated(statement: string): string {
  return statement.replace(/ENGINE = Replicated(\w+)\('[^']*', '\{replica\}'(?:, )?/, 'ENGINE = $1(');
}

/**
 * Runs a translated plan here: ON CLUSTER taken out; a Replicated CREATE must fail for want of
 * Keeper alone, then runs with its single-server engine. Returns how many were Replicated.
 */
async function replay(statements: string[], cluster: string): Promise<number> {
  let replicated = 0;
  for (const statement of statements) {
    const here = statement.replace(` ON CLUSTER ${cluster}`, '');
    if (/ENGINE = Replicated/.test(here)) {
      await assert.rejects(run(here), (err: Error) => {
        assert.match(err.message, /NO_ZOOKEEPER|without ZooKeeper/, `${here.slice(0, 160)}\n→ ${err.message}`);
        return true;
      });
      await run(unreplicated(here));
      replicated++;
    } else {
      await run(here);
    }
  }
  return replicated;
}

describe('cluster DDL on the embedded engine', async () => {
  const plan = planMigrations(await loadMigrations(), { database: 'warden', ttlDays: 90 }, CLUSTER);
  const statements = [...plan.setup, ...plan.steps.flatMap((s) => s.statements)];

  it('the engine runs a one-shard cluster of itself, and refuses ON CLUSTER (no Keeper)', async () => {
    assert.deepEqual(await rows(`SELECT cluster, shard_num, is_local FROM system.clusters WHERE cluster = {c:String}`, { c: CLUSTER }), [
      { cluster: CLUSTER, shard_num: 1, is_local: 1 },
    ]);
    await assert.rejects(run(plan.setup[0]!), /QUERY_IS_PROHIBITED|Replicated DDL queries are disabled/);
  });

  it('the parser accepts every translated statement as written', async () => {
    for (const statement of statements) {
      const [{ f }] = (await rows<{ f: string }>('SELECT formatQuery({q:String}) AS f', { q: statement })) as [{ f: string }];
      if (statement.includes(ON_CLUSTER)) assert.ok(f.includes(ON_CLUSTER), f.slice(0, 200));
      const engine = /ENGINE = (Replicated\w+|Distributed)\(/.exec(statement);
      if (engine) assert.ok(f.includes(`ENGINE = ${engine[1]}(`), f.slice(0, 200));
    }
  });

  it('every statement runs in order; each Replicated CREATE fails only for want of Keeper', async () => {
    const replicated = await replay(statements, CLUSTER);
    assert.ok(replicated >= 8, `${replicated} replicated tables`);
    const engines = await rows<{ name: string; engine: string }>(
      `SELECT name, engine FROM system.tables WHERE database = 'warden' AND name IN ('audit_events', 'audit_events_local', 'session_index', 'session_index_local') ORDER BY name`,
    );
    assert.deepEqual(engines, [
      { name: 'audit_events', engine: 'Distributed' },
      { name: 'audit_events_local', engine: 'ReplacingMergeTree' },
    ]);
    // After every ALTER, each Distributed table has exactly its local table's columns.
    const cols = await rows<{ table: string; cols: string[] }>(
      `SELECT table, arraySort(groupArray(name || ' ' || type)) AS cols FROM (SELECT table, name, type FROM system.columns WHERE database = 'warden' ORDER BY table, position) GROUP BY table`,
    );
    const byTable = new Map(cols.map((c) => [c.table, c.cols]));
    const fronts = await rows<{ name: string }>(`SELECT name FROM system.tables WHERE database = 'warden' AND engine = 'Distributed'`);
    assert.ok(fronts.length >= 9);
    for (const { name } of fronts) assert.deepEqual(byTable.get(name), byTable.get(`${name}_local`), name);
  });

  it('rows inserted through the Distributed audit_events reach the local table and the views, read through the Distributed tables', async () => {
    await run(`INSERT INTO warden.audit_events (event_id, tenant, session_id, phase, targets, destructive, time)
      SETTINGS insert_distributed_sync = 1
      VALUES ('e1', 't', 's1', 'intent', ['/etc/a'], true, '2026-12-01 10:00:00'),
             ('e2', 't', 's1', 'execution', ['/etc/a', '/etc/b'], false, '2026-12-01 10:00:01'),
             ('e3', 't', 's2', 'intent', ['/etc/b'], false, '2026-12-01 10:00:02')`);
    assert.deepEqual(await rows(`SELECT count() AS n FROM warden.audit_events_local`), [{ n: '3' }]);
    assert.deepEqual(
      await rows(`SELECT session_id, uniqExactIfMerge(intent_events) AS intents, uniqExactIfMerge(execution_events) AS executions,
                         uniqExactIfMerge(destructive_events) AS destructive
                    FROM warden.session_activity GROUP BY session_id ORDER BY session_id`),
      [
        { session_id: 's1', intents: '1', executions: '1', destructive: '1' },
        { session_id: 's2', intents: '1', executions: '0', destructive: '0' },
      ],
    );
    assert.deepEqual(
      await rows(`SELECT target, groupArray(session_id) AS sessions FROM (SELECT target, session_id FROM warden.target_activity ORDER BY session_id)
                   GROUP BY target ORDER BY target`),
      [
        { target: '/etc/a', sessions: ['s1'] },
        { target: '/etc/b', sessions: ['s1', 's2'] },
      ],
    );
  });

  it('migrate refuses a cluster on the embedded engine', async () => {
    await assert.rejects(migrate(handle, { cluster: CLUSTER }), (err: unknown) => err instanceof PermanentError && err.code === 'CONFIG_INVALID');
  });
});

describe('queries over a two-shard cluster', async () => {
  const database = 'warden_two_shards';
  const plan = planMigrations(await loadMigrations(), { database, ttlDays: 90 }, TWO_SHARDS);

  it('the rebuild picks its sessions with IN (SELECT … LIMIT) over Distributed tables: refused without the cluster settings, answered with them', async () => {
    await replay([...plan.setup, ...plan.steps.flatMap((s) => s.statements)], TWO_SHARDS);
    await run(`INSERT INTO ${database}.audit_events (event_id, tenant, session_id, phase, time)
      SETTINGS insert_distributed_sync = 1
      VALUES ('e1', 't', 's1', 'intent', now64(9)), ('e2', 't', 's2', 'intent', now64(9))`);
    const rebuild = async (cluster?: string) => {
      const h = await openClickHouse({ dataPath: join(dir, 'data'), database, logger: silentLogger, ...(cluster ? { cluster } : {}) });
      try {
        const replayed: string[] = [];
        const target = { registry: new SessionRegistry({ clock: systemClock }), replay: (events: AuditEvent[]) => replayed.push(events[0]!.session_id) };
        await rebuildFromStore(h, target, { sinceMs: Date.now() - 3_600_000, maxSessions: 10, maxEventsPerSession: 10 });
        return replayed.sort();
      } finally {
        await h.close();
      }
    };
    await assert.rejects(rebuild(), /Double-distributed IN\/JOIN subqueries is denied/);
    assert.deepEqual(await rebuild(TWO_SHARDS), ['s1', 's2']);
  });
});
