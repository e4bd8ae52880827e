/**
 * Sends @clickhouse/client's own log lines to Warden's logger instead of the console. The client
 * wants a class with a no-argument constructor, so the class is made per logger. Its `error`
 * lines become warnings: the store maps and reports every failure itself, once.
 */
import type { ErrorLogParams, Logger as ClientLogger, LogParams, WarnLogParams } from '@clickhouse/client';
import type { Logger } from '../lib/logger.js';

function fields(p: LogParams & { err?: Error }): Record<string, unknown> {
  return {
    module: p.module,
    ...(p.args === undefined ? {} : { args: p.args }),
    ...(p.err === undefined ? {} : { err: p.err.message }),
  };
}

export function clientLoggerClass(logger: Logger): new () => ClientLogger {
  const log = logger.child({ component: 'clickhouse-client' });
  return class WardenClientLogger implements ClientLogger {
    trace(p: LogParams): void {
      log.debug(fields(p), p.message);
    }
    debug(p: LogParams): void {
      log.debug(fields(p), p.message);
    }
    info(p: LogParams): void {
      log.info(fields(p), p.message);
    }
    warn(p: WarnLogParams): void {
      log.warn(fields(p), p.message);
    }
    error(p: ErrorLogParams): void {
      log.warn(fields(p), p.message);
    }
  };
}
