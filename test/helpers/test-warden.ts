/**
 * Starts a real Warden for a test: embedded ClickHouse in a fresh temporary directory, HTTP on
 * an ephemeral loopback port, the in-process queue unless KAFKA_BROKERS is given. Returns the
 * running instance and a cleanup that closes it and removes its data.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { loadConfig, type WardenConfig } from '../../config/config.js';
import type { TokenEntry } from '../../config/tokens.js';
import { startWarden, type RunningWarden } from '../../main.js';
import { Metrics } from '../../lib/metrics.js';
import { createLogger, silentLogger, type Logger } from '../../lib/logger.js';
import { systemClock, type Clock } from '../../lib/clock.js';
import { removeEngineDir } from './remove-engine-dir.js';

export interface TestWarden extends RunningWarden {
  config: WardenConfig;
  metrics: Metrics;
  dataDir: string;
  cleanup(): Promise<void>;
}

export interface TestWardenOptions {
  logger?: Logger;
  /** The token file to start with (written to the data dir, owner-only); default: one admin token created at start. */
  tokens?: TokenEntry[];
  /** Share another instance's embedded ClickHouse (instances of one group share storage). */
  clickhouseDataPath?: string;
  /** Start over this data directory (e.g. one a test prepared) instead of a fresh temporary one; cleanup still removes it. */
  dataDir?: string;
  /** The clock every stage reads (default the system's); a FakeClock moves only when a test says. */
  clock?: Clock;
}

/** `WARDEN_TEST_LOG=warn` (or any level) shows the test instances' logs on stderr, for debugging a test. */
function testLogger(instance: string): Logger {
  const level = process.env.WARDEN_TEST_LOG;
  if (!level) return silentLogger;
  return createLogger((line) => line, level, { write: (line: string) => process.stderr.write(`[${instance}] ${line}`) }).child({ instance });
}

export async function startTestWarden(env: Record<string, string> = {}, options: TestWardenOptions = {}): Promise<TestWarden> {
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'warden-e2e-'));
  if (options.tokens) fs.writeFileSync(path.join(dataDir, 'tokens.yaml'), stringify({ tokens: options.tokens }), { mode: 0o600 });
  // Tests read rows back right after posting them: inserts gather for 250 ms here instead of the
  // default second (the cheaper, larger inserts are what the benchmarks and process-level tests run).
  const loaded = loadConfig({ WARDEN_DATA_DIR: dataDir, WARDEN_HTTP_PORT: '0', WARDEN_LOG_LEVEL: 'silent', WARDEN_INSERT_DELAY_MS: '250', ...env });
  const config = options.clickhouseDataPath ? { ...loaded, clickhouse: { ...loaded.clickhouse, dataPath: options.clickhouseDataPath } } : loaded;
  const metrics = new Metrics();
  const warden = await startWarden(config, { logger: options.logger ?? testLogger(env.WARDEN_INSTANCE_ID ?? 'warden'), metrics, clock: options.clock ?? systemClock });
  return {
    ...warden,
    config,
    metrics,
    dataDir,
    cleanup: async () => {
      await warden.close();
      await removeEngineDir(dataDir);
    },
  };
}

/**
 * A Warden for hook tests: the hooks' ingest token and an operator's (read, operate) in the
 * default tenant, and the environment a hook client runs with to reach it.
 */
export async function startHookTestWarden(hookToken: string, operatorToken: string): Promise<{ warden: TestWarden; env: Record<string, string> }> {
  const warden = await startTestWarden({}, { tokens: [
    { name: 'hooks', token: hookToken, tenant: 'default', roles: ['ingest'] },
    { name: 'alice', token: operatorToken, tenant: 'default', roles: ['read', 'operate'] },
  ] });
  return { warden, env: { WARDEN_URL: warden.url, WARDEN_TOKEN: hookToken } };
}
