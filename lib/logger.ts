/**
 * The logger interface every component takes. Backed by pino in production; `silentLogger`
 * for tests. Never log raw telemetry: it may hold secrets before redaction.
 *
 * Two guards make a slip harmless. Fields that carry request content (`command`, `arguments`,
 * `attributes`, `body`, `payload`, auth headers, at the top level or one object down) are
 * censored by pino's `redact` paths. And every finished line goes through the same redactor as
 * events before it reaches the destination, so a secret interpolated into a message (an
 * operator's revocation reason, an error quoting its input) is replaced by its marker too.
 * The redactor is passed in by the assembly (`logLineRedactor()` from the redaction stage), so
 * every logger is built with one: there is no default that forgets it.
 */
import { pino, type DestinationStream } from 'pino';

export interface Logger {
  debug(obj: object | string, msg?: string): void;
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
}

/** Log fields whose values are request content: censored whole. */
export const REQUEST_CONTENT_PATHS: readonly string[] = [
  'command', 'arguments', 'attributes', 'body', 'payload',
  'headers.authorization', 'headers.cookie', 'headers["x-api-key"]', 'headers["proxy-authorization"]',
  '*.command', '*.arguments', '*.attributes', '*.body', '*.payload',
  '*.headers.authorization', '*.headers.cookie', '*.headers["x-api-key"]', '*.headers["proxy-authorization"]',
];
export const CENSORED = '[REDACTED:log_field]';

/** Rewrites one finished log line before it is written: secrets become their markers. */
export type LineRedactor = (line: string) => string;

/** A destination whose lines are redacted before they are written. */
export function redactingDestination(destination: DestinationStream, redactLine: LineRedactor): DestinationStream {
  return { write: (line: string) => destination.write(redactLine(line)) };
}

/** Logs at `level` to `destination` (default stdout), every line through `redactLine`. */
export function createLogger(redactLine: LineRedactor, level: string, destination: DestinationStream = pino.destination(1)): Logger {
  return pino(
    { level, base: { service: 'warden' }, redact: { paths: [...REQUEST_CONTENT_PATHS], censor: CENSORED } },
    redactingDestination(destination, redactLine),
  );
}

const noop = (): void => {};
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
