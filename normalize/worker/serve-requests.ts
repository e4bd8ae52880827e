/**
 * The worker side's loop: builds its own normalizer (classifier, redactor, mapping tables — the
 * same code and data as the main thread's) and answers NormalizeRequests in arrival order, with
 * the counter increments each one caused. A worker entry may pass `prepare`: what the next stage
 * makes of a message's events (storage's rows), computed here too so that the main thread, which
 * runs detection, does not; a message it returns nothing for is prepared by the caller as before.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { Metrics } from '../../lib/metrics.js';
import type { AuditEvent } from '../../model/audit-event.js';
import { createClassifier } from '../classify/index.js';
import { createRedactor } from '../redact/index.js';
import { createNormalizer } from '../index.js';
import { normalizeMessage, type MessageOutcome } from '../message-normalizer.js';
import { counterDeltas } from './counter-deltas.js';
import type { NormalizeRequest, WorkerReply, WorkerSetup } from './protocol.js';

/**
 * Turns one message's events into the next stage's form, or undefined to leave it to the caller;
 * `transfer` lists the buffers of `value` to move to the main thread with it instead of copying
 * them (each then belongs to the main thread alone).
 */
export type PrepareInWorker = (events: AuditEvent[], metrics: Metrics) => Promise<{ value: unknown; transfer: ArrayBuffer[] } | undefined>;

export function serveNormalizeRequests(prepare?: PrepareInWorker): void {
  const port = parentPort;
  if (!port) throw new Error('the normalize worker must run in a worker thread');
  const setup = workerData as WorkerSetup;
  const metrics = new Metrics();
  const normalizer = createNormalizer({
    classifier: createClassifier(),
    redactor: createRedactor(),
    metrics,
    ...(setup.defaultTenant ? { defaultTenant: setup.defaultTenant } : {}),
    ...(setup.mappingsDir ? { mappingsDir: setup.mappingsDir } : {}),
  });
  const deltas = counterDeltas(metrics);
  const reply = (message: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(message, transfer);

  port.on('message', (request: NormalizeRequest) => {
    void (async () => {
      try {
        const outcomes: MessageOutcome[] = [];
        const transfer: ArrayBuffer[] = [];
        for (const { start, end, ...m } of request.messages) {
          const outcome = normalizeMessage({ ...m, key: '', value: Buffer.from(request.payload, start, end - start) }, normalizer, setup.maxDecodedBytes);
          if (prepare && 'events' in outcome && outcome.events.length > 0) {
            const prepared = await prepare(outcome.events, metrics);
            if (prepared !== undefined) {
              outcome.prepared = prepared.value;
              transfer.push(...prepared.transfer);
            }
          }
          outcomes.push(outcome);
        }
        reply({ type: 'result', id: request.id, outcomes, counts: await deltas() }, transfer);
      } catch (err) {
        reply({ type: 'failed', id: request.id, message: err instanceof Error ? err.message : String(err) });
      }
    })();
  });
  reply({ type: 'ready', ...osThreadId() });
}

function osThreadId(): { threadId?: number } {
  try {
    const tid = Number(path.basename(fs.readlinkSync('/proc/thread-self')));
    return Number.isInteger(tid) ? { threadId: tid } : {};
  } catch {
    return {};
  }
}
