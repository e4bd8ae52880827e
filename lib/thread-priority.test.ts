/**
 * Against the real threads of this process, with embedded ClickHouse running in it: every
 * thread but the main one is lowered; the main thread keeps its priority.
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

test('lowers every thread but the main one: embedded ClickHouse’s and Node’s helpers', { skip: !linux && 'needs Linux per-thread priorities' }, async () => {
  const chdb = await openTempChdb('warden_priority');
  try {
    await chdb.handle.client.query({ query: 'SELECT count() FROM numbers(1000000)', format: 'JSONEachRow' }).then((r) => r.json());
    const self = path.basename(process.execPath).slice(0, 15);
    const before = threads();
    assert.ok(before.some((t) => t.name !== self), 'the engine started named threads');
    const nodeThreads = before.filter((t) => t.name === self && t.tid !== process.pid).length;
    const priority = lowerBackgroundThreads({ nice: 7, logger: silentLogger, intervalMs: 60_000, keepNames: ['keep-me'] });
    priority.stop();
    // Only threads that existed before the scan (pools may start new ones at any time).
    const existed = new Set(before.map((t) => t.tid));
    const after = threads().filter((t) => existed.has(t.tid));
    assert.equal(after.find((t) => t.tid === process.pid)?.nice, 0, 'the main thread keeps its priority');
    const lowered = after.filter((t) => t.tid !== process.pid);
    assert.ok(lowered.every((t) => t.nice === 7), JSON.stringify(lowered));
    assert.ok(lowered.some((t) => t.name !== self) && lowered.filter((t) => t.name === self).length === nodeThreads, 'the engine’s threads and Node’s helpers');
    assert.ok(priority.lowered >= lowered.length);
  } finally {
    await chdb.cleanup();
  }
});

test('nice 0 turns it off', () => {
  const priority = lowerBackgroundThreads({ nice: 0, logger: silentLogger });
  priority.scan();
  assert.equal(priority.lowered, 0);
});
