/**
 * A consumed batch can hold hundreds of OTLP requests (one Kafka fetch of a partition). They are
 * decoded and normalized a slice at a time: while the main thread runs detection on one slice,
 * the worker decodes the next, and neither thread holds a whole fetch's worth of decoded
 * records at once (short-lived objects are what the garbage collector handles cheaply).
 */
import type { TransportMessage } from '../model/message.js';

/** Payload bytes per slice: ~1,500 spans of a typical agent request. */
export const DEFAULT_SLICE_BYTES = 512 * 1024;
export const DEFAULT_SLICE_MESSAGES = 64;

export interface SliceLimits {
  bytes: number;
  messages: number;
}

/** Consecutive runs of `messages`, each within the limits (a single larger message is its own slice). */
export function sliceMessages<T extends TransportMessage>(
  messages: readonly T[],
  limits: SliceLimits = { bytes: DEFAULT_SLICE_BYTES, messages: DEFAULT_SLICE_MESSAGES },
): T[][] {
  const slices: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.value.byteLength;
    if (current.length > 0 && (bytes + size > limits.bytes || current.length >= limits.messages)) {
      slices.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}
