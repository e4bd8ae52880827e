/**
 * An OTLP export request in flight, as every stage sees it: which signal, how it is encoded,
 * the bytes as received, the key that keeps a session on one partition, and headers (the
 * token's tenant, the content type; a placeholder for a batch that could not be read).
 */
import type { Encoding } from './encoding.js';

export type Signal = 'traces' | 'logs';

export interface TransportMessage {
  signal: Signal;
  encoding: Encoding;
  /** Session id, so one session stays on one partition and in order. */
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}
