/** Messages between the main thread and the normalize worker (structured-cloned). */
import type { MessageOutcome } from '../message-normalizer.js';
import type { Encoding, Signal } from '../../receive/transport/transport.js';

export interface WorkerSetup {
  maxDecodedBytes?: number;
  defaultTenant?: string;
  mappingsDir?: string;
}

/**
 * A slice of messages. Their values travel back to back in one transferred buffer (moved, not
 * copied): a transport's message value is often a view of a much larger buffer (a whole
 * decompressed Kafka fetch), which cloning would copy entire, once per request.
 */
export interface NormalizeRequest {
  id: number;
  payload: ArrayBuffer;
  messages: Array<{ signal: Signal; encoding: Encoding; start: number; end: number; headers?: Record<string, string> }>;
}

/** A counter increment made in the worker, replayed on the main thread's Metrics. */
export interface CounterDelta {
  counter: 'received' | 'sent' | 'errors' | 'redactions' | 'withoutSession';
  labels: Record<string, string>;
  value: number;
}

export type WorkerReply =
  /** `threadId`: the worker's OS thread id where the platform tells it (Linux), for priorities. */
  | { type: 'ready'; threadId?: number }
  | { type: 'result'; id: number; outcomes: MessageOutcome[]; counts: CounterDelta[] }
  | { type: 'failed'; id: number; message: string };
