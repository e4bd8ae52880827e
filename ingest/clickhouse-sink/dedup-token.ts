/**
 * The insert_deduplication_token for a batch: a SHA-256 over the batch's event ids, sorted, so
 * the same set of events gives the same token whatever order it arrives in. ClickHouse keeps the
 * tokens of recent inserts (non_replicated_deduplication_window) and drops a repeated block.
 */
import { createHash } from 'node:crypto';

const TOKEN_VERSION = 'warden-events-v1';

export function batchToken(eventIds: readonly string[]): string {
  const hash = createHash('sha256').update(TOKEN_VERSION);
  // Length-prefixed, so ids that contain the separator cannot collide with another split.
  for (const id of [...eventIds].sort()) hash.update(`\n${id.length}:`).update(id);
  return `${TOKEN_VERSION}:${hash.digest('hex')}`;
}
