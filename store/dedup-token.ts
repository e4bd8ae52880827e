/**
 * The insert_deduplication_token for a batch: a SHA-256 over the batch's event ids, sorted, so
 * the same set of events gives the same token whatever order it arrives in. ClickHouse keeps the
 * tokens of recent inserts (non_replicated_deduplication_window) and drops a repeated block.
 */
import { hash } from 'node:crypto';

const TOKEN_VERSION = 'warden-events-v1';

export function batchToken(eventIds: readonly string[]): string {
  // Length-prefixed, so ids that contain the separator cannot collide with another split;
  // hashed in one update (the same digest as one update per piece, for a fraction of the cost).
  const text = TOKEN_VERSION + [...eventIds].sort().map((id) => `\n${id.length}:${id}`).join('');
  return `${TOKEN_VERSION}:${hash('sha256', text, 'hex')}`;
}
