/**
 * Whether normalization refuses a record, as one function that both the normalizer and the
 * OTLP/HTTP receiver call: the receiver reports a refused record to the client (OTLP
 * `partial_success`) and never sends it on, the normalizer drops and counts whatever reaches it
 * another way (straight to Kafka), so the two can never disagree on what is kept.
 *
 * `eventTimes` is how a record's times become the event's (spans: start and end, observed now;
 * logs: observed time or now, time or observed). `refusalOf` answers the reason a record is
 * refused (a PermanentError with a stable code), or undefined when it is kept. Every check that
 * refuses a record belongs here, so the receiver learns of it without another change.
 */
import { isStorableNs, MAX_EVENT_NS, MAX_EVENT_TIME } from '../../model/audit-event.js';
import type { DecodedRecord } from './records.js';
import { systemClock } from '../../lib/clock.js';
import { PermanentError } from '../../lib/errors.js';

/** The code of a record refused by normalization. */
export const INVALID_EVENT = 'INVALID_EVENT';

export interface EventTimes {
  /** Decimal nanoseconds since the epoch. */
  time: string;
  end: string;
  observed: string;
}

function nonZero(ns: string | undefined): boolean {
  return ns !== undefined && ns !== '' && ns !== '0';
}

const systemNow = (): string => systemClock.nowNs().toString();

/** The event's times; `now` is read only when the record lacks an observed time. */
export function eventTimes(record: DecodedRecord, now: () => string): EventTimes {
  if (record.signal === 'traces') return { time: record.startTimeUnixNano, end: record.endTimeUnixNano, observed: now() };
  const observed = nonZero(record.observedTimeUnixNano) ? record.observedTimeUnixNano : now();
  const time = nonZero(record.timeUnixNano) ? record.timeUnixNano : observed;
  return { time, end: time, observed };
}

function beyondStorage(field: string, value: string): PermanentError {
  return new PermanentError(INVALID_EVENT, `record ${field} is beyond what storage holds (up to ${MAX_EVENT_TIME}, ${MAX_EVENT_NS} ns)`, {
    details: { field, value: value.slice(0, 40) },
  });
}

/** Why the record is refused, or undefined when normalization keeps it. */
export function refusalOf(record: DecodedRecord, times: EventTimes = eventTimes(record, systemNow)): PermanentError | undefined {
  // A time past what storage keeps (2106: the TTL reads it as a DateTime) would be stored and
  // then deleted by the TTL, or, past 2262, fail the insert of its batch: the record is refused.
  // (Three checks written out: this runs for every record the receiver takes, and a list of
  // pairs to loop over was most of what it allocated.)
  if (!isStorableNs(times.time)) return beyondStorage('time', times.time);
  if (!isStorableNs(times.end)) return beyondStorage('end time', times.end);
  if (!isStorableNs(times.observed)) return beyondStorage('observed time', times.observed);
  return undefined;
}
