/**
 * The engine process: `node --import tsx test/infra/engine-over-http/main.ts <data-dir>` opens
 * chdb on the data directory (created if missing), serves ClickHouse's HTTP interface on an
 * ephemeral loopback port (http-interface.ts), prints `LISTENING <url>` on stdout, and exits on
 * SIGTERM, SIGINT or when its stdin closes — so it never outlives the test that started it.
 */
import { mkdirSync } from 'node:fs';
import { serveHttpInterface } from './http-interface.js';
import { PooledEngine } from './pooled-engine.js';

const POOL_SIZE = 4;

const dataDir = process.argv[2];
if (!dataDir) {
  process.stderr.write('usage: main.ts <data-dir>\n');
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });
const engine = await PooledEngine.open(dataDir, POOL_SIZE);
const server = await serveHttpInterface({ engine });
process.stdout.write(`LISTENING ${server.url}\n`);

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  await server.close();
  await engine.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.stdin.on('end', () => void stop());
process.stdin.on('close', () => void stop());
process.stdin.resume();
