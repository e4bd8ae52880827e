/**
 * Transport messages → AuditEvents, one outcome per message: its events, or the permanent reason
 * it cannot be read (for the dead-letter sink). In process by default; `normalize-worker/` does
 * the same work on a worker thread, so decoding and normalizing overlap with detection, storage
 * and the transport on the main thread.
 */
import type { AuditEvent } from '../model/audit-event.js';
import { decodeMessage } from '../decode/decode-message.js';
import type { Normalizer } from './index.js';
import type { TransportMessage } from '../receive/transport/transport.js';
import { errorCode, WardenError } from '../lib/errors.js';

export type MessageOutcome =
  /**
   * `prepared`: what a worker made of the events for the next stage (see worker/serve-requests.ts
   * — the pipeline's worker puts storage rows here); the consumer checks its shape before use.
   */
  | { events: AuditEvent[]; prepared?: unknown }
  /** `code` is a WardenError code when `known`, else the message could not be normalized at all. */
  | { error: { code: string; message: string; known: boolean } };

export interface MessageNormalizer {
  normalizeMessages(messages: readonly TransportMessage[]): Promise<MessageOutcome[]>;
  /**
   * True when the work runs elsewhere (a worker thread): a caller gains by handing over the next
   * messages before it uses this call's outcomes. In process, the work runs inside the call.
   */
  readonly concurrent?: boolean;
  close(): Promise<void>;
}

/** One message, in this thread: decode (gunzip when marked), normalize; a bad message is an outcome, not a throw. */
export function normalizeMessage(message: TransportMessage, normalizer: Normalizer, maxDecodedBytes?: number): MessageOutcome {
  try {
    const records = decodeMessage(message, maxDecodedBytes);
    return { events: normalizer.normalize(records, { tenant: message.headers?.['warden-tenant'] }) };
  } catch (err) {
    return { error: { code: errorCode(err), message: err instanceof Error ? err.message : String(err), known: err instanceof WardenError } };
  }
}

export function inProcessNormalizer(normalizer: Normalizer, maxDecodedBytes?: number): MessageNormalizer {
  return {
    normalizeMessages: async (messages) => messages.map((m) => normalizeMessage(m, normalizer, maxDecodedBytes)),
    close: async () => {},
  };
}
