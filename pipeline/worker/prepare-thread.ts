/**
 * The pipeline's normalize worker: decodes and normalizes messages (normalize/worker) and also
 * turns each message's events into their `audit_events` rows with the store's own
 * `prepareRows` — the JSON text of every row, the main thread's largest cost after detection
 * itself. The batch processor uses these rows instead of preparing them again; their bytes are
 * moved to it, not copied. A message whose events storage refuses (an invalid event) or whose
 * text needed repair (lone surrogates, which are counted and logged) gets no rows here: the main
 * thread prepares it as before, event by event, and dead-letters or reports what it must.
 */
import { serveNormalizeRequests } from '../../normalize/worker/serve-requests.js';
import { prepareRows, rowsToHandOver } from '../../store/prepared-rows.js';

serveNormalizeRequests(async (events) => {
  let repaired = false;
  try {
    const rows = await prepareRows(events, () => {
      repaired = true;
    });
    if (repaired) return undefined;
    // The rows' bytes are moved to the main thread, which gives them back once they are stored.
    const handed = rowsToHandOver(rows);
    return { value: handed.rows, transfer: handed.transfer };
  } catch {
    return undefined;
  }
});
