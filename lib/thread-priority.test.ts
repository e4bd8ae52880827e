/**
 * Against the real threads of this process, with embedded ClickHouse running in it: the
 * engine's own threads are lowered; the main thread and Node's threads (V8's collection helpers
 * among them) keep their priority.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { lowerBackgroundThreads } from './thread-priority.js';
import { silentLogger } from './logger.js';
import { openTempChdb } from '../test/infra/clickhouse-chdb.js';

const TASKS = '/proc/self/task';
const linux = process.platform === 'linux' && fs.existsSync(TASKS);

function threads(): Array<{ tid: number; name: string; nice: number }> {
  const out = [];
  for (const entry of fs.readdirSync(TASKS)) {
    try {
      const tid = Number(entry);
      out.push({ tid, name: fs.readFileSync(path.join(TASKS, entry, 'comm'), 'utf8').trim(), nice: os.getPriority(tid) });
    } catch {
      // ended meanwhile
    }
  }
  return out;
}

test('lowers embedded ClickHouse’s threads, not the main thread nor Node’s (V8’s collection helpers)', { skip: !linux && 'needs Linux per-thread priorities' }, async () => {
  const chdb = await openTempChdb('warden_priority');
  try {
    await chdb.handle.client.query({ query: 'SELECT count() FROM numbers(1000000)', format: 'JSONEachRow' }).then((r) => r.json());
    const self = path.basename(process.execPath).slice(0, 15);
    const before = threads();
    assert.ok(before.some((t) => t.name !== self), 'the engine started named threads');
    assert.ok(before.some((t) => t.name === self && t.tid !== process.pid), 'Node runs helper threads');
    const priority = lowerBackgroundThreads({ nice: 7, logger: silentLogger, intervalMs: 60_000, keepNames: ['keep-me'] });
    priority.stop();
    // Only threads that existed before the scan (pools may start new ones at any time).
    const existed = new Set(before.map((t) => t.tid));
    const after = threads().filter((t) => existed.has(t.tid));
    assert.equal(after.find((t) => t.tid === process.pid)?.nice, 0, 'the main thread keeps its priority');
    const engine = after.filter((t) => t.name !== self);
    const node = after.filter((t) => t.name === self && t.tid !== process.pid);
    assert.ok(engine.length > 0 && engine.every((t) => t.nice === 7), `the engine's threads: ${JSON.stringify(engine)}`);
    assert.ok(node.length > 0 && node.every((t) => t.nice === 0), `Node's threads: ${JSON.stringify(node)}`);
    assert.ok(priority.lowered >= engine.length);
  } finally {
    await chdb.cleanup();
  }
});

test('nice 0 turns it off', () => {
  const priority = lowerBackgroundThreads({ nice: 0, logger: silentLogger });
  priority.scan();
  assert.equal(priority.lowered, 0);
});
