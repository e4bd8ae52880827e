/**
 * Deterministic event ids: the same source record, redelivered (Kafka replay, OTLP retry, the
 * same record sent once as protobuf and once as JSON), always gets the same id, so storage can
 * de-duplicate; two different records get different ids. A span is identified by its trace and
 * span ids; a log record (and a span lacking ids) by its times, ids, name and a canonical
 * (key-sorted) form of its body, attributes, resource and scope. sha256, first 32 hex chars.
 */
import { createHash } from 'node:crypto';
import type { Attributes, DecodedRecord } from '../otlp/records.js';
import { canonicalJson } from './values.js';

/** Resources are shared by every record of a batch: canonicalise each object once. */
const resourceText = new WeakMap<Attributes, string>();

function canonicalResource(resource: Attributes): string {
  let text = resourceText.get(resource);
  if (text === undefined) {
    text = canonicalJson(resource);
    resourceText.set(resource, text);
  }
  return text;
}

export function eventIdOf(record: DecodedRecord): string {
  const hash = createHash('sha256');
  if (record.signal === 'traces' && record.traceId !== '' && record.spanId !== '') {
    hash.update(`traces\n${record.traceId}\n${record.spanId}`);
    return hash.digest('hex').slice(0, 32);
  }
  const scope = record.scope ? `${record.scope.name}\n${record.scope.version}` : '\n';
  if (record.signal === 'traces') {
    hash.update(`traces\n${record.startTimeUnixNano}\n${record.endTimeUnixNano}\n${record.name}\n${scope}\n`);
  } else {
    const time = record.timeUnixNano && record.timeUnixNano !== '0' ? record.timeUnixNano : record.observedTimeUnixNano;
    hash.update(`logs\n${time}\n${record.traceId}\n${record.spanId}\n${record.eventName}\n${scope}\n`);
    hash.update(canonicalJson(record.body));
    hash.update('\n');
  }
  hash.update(canonicalJson(record.attributes));
  hash.update('\n');
  hash.update(canonicalResource(record.resource ?? {}));
  return hash.digest('hex').slice(0, 32);
}
