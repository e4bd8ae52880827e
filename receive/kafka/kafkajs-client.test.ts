import assert from 'node:assert/strict';
import { it } from 'node:test';
import { logLevel } from 'kafkajs';
import type { Logger } from '../../lib/logger.js';
import { kafkajsLogCreator } from './kafkajs-client.js';

it("routes kafkajs warnings and errors into our logger at warn level and drops its chatter", () => {
  const warned: Array<[object | string, string | undefined]> = [];
  const logger: Logger = {
    debug: () => assert.fail('debug'),
    info: () => assert.fail('info'),
    warn: (obj, msg) => void warned.push([obj, msg]),
    error: () => assert.fail('error'),
    child: () => logger,
  };
  const log = kafkajsLogCreator(logger)(logLevel.WARN);
  const entry = (level: logLevel, message: string) => ({ namespace: 'Connection', level, label: String(level), log: { timestamp: 't', message, broker: 'b:1' } });
  log(entry(logLevel.ERROR, 'Connection error'));
  log(entry(logLevel.WARN, 'retrying'));
  log(entry(logLevel.INFO, 'Starting'));
  log(entry(logLevel.DEBUG, 'Request'));
  assert.deepEqual(warned, [
    [{ namespace: 'Connection', kafkajsLevel: 'ERROR', broker: 'b:1' }, 'Connection error'],
    [{ namespace: 'Connection', kafkajsLevel: 'WARN', broker: 'b:1' }, 'retrying'],
  ]);
});
