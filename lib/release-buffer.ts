/**
 * Gives a buffer's memory back at once, instead of at the next full collection.
 *
 * V8 counts the memory of every ArrayBuffer as the heap's "external" memory. A buffer that
 * outlived two young collections (rows waiting a quarter of a second for their insert) is freed
 * only by a full collection; and once 64 MB more of it is held than after the last full
 * collection, V8 starts another one, however small the heap, since it cannot tell that the
 * buffers are garbage. At 5,000 spans/s the rows' buffers alone came to that every ~17 s, and
 * each full collection holds the event loop — and the gate calls waiting on it — in pieces
 * over ~80 ms.
 *
 * Released here, the buffer is detached: its memory leaves V8's count at once and is freed at
 * the next young collection. Every other view of it reads as empty from then on, so only the
 * owner of a buffer that nothing else views may release it, once its bytes are no longer read
 * or written — by anything, including native code (an insert that has not finished).
 */
export function releaseBuffer(bytes: Uint8Array): void {
  const buffer = bytes.buffer;
  // A SharedArrayBuffer is never detached; an empty one (already released) has nothing to give.
  if (!(buffer instanceof ArrayBuffer) || buffer.byteLength === 0) return;
  // Node 20 has no ArrayBuffer.prototype.transfer: moving the memory to a clone nobody keeps
  // detaches this one the same way, without a copy. One that cannot be detached (marked
  // untransferable, it is copied instead; others are refused) is left to the collector, as it
  // would have been: giving memory back early never fails the caller's work.
  try {
    structuredClone(buffer, { transfer: [buffer] });
  } catch {
    // left to the collector
  }
}

/** Whether `bytes` views the whole of its buffer: the precondition for its owner to release it. */
export function viewsWholeBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
}
