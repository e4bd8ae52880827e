/**
 * The logger interface every component takes. Backed by pino in production; `silentLogger`
 * for tests. Never log raw telemetry: it may hold secrets before redaction.
 */
import { pino } from 'pino';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

export function createLogger(level: string = process.env.WARDEN_LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, base: { service: 'warden' } });
}

const noop = (): void => {};
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
