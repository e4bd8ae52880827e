/**
 * Everything a mapping did not consume, so no field an agent sends is lost when its event
 * format changes: record attributes under their own key, log body fields as `body.<key>` (a
 * plain body as `body`), resource attributes as `resource.<key>`, plus the instrumentation scope,
 * a span's status message and its events. Values keep their type here; the redaction step
 * stringifies and redacts them.
 */
import type { AnyValue } from '../decode/otlp/records.js';
import type { RecordView } from './record-view.js';

export function unmappedAttributes(view: RecordView): Array<[string, AnyValue]> {
  const out: Array<[string, AnyValue]> = [];
  const { consumed, record } = view;
  for (const key of Object.keys(view.attributes)) {
    if (!consumed.has(key)) out.push([key, view.attributes[key] as AnyValue]);
  }
  if (view.body !== undefined) {
    for (const key of Object.keys(view.body)) {
      if (!consumed.has(key)) out.push([`body.${key}`, view.body[key] as AnyValue]);
    }
  } else if (record.signal === 'logs' && !view.bodyIsName && record.body !== null && record.body !== '' && record.body !== undefined) {
    out.push(['body', record.body]);
  }
  for (const key of Object.keys(view.resource)) {
    if (!consumed.has(key)) out.push([`resource.${key}`, view.resource[key] as AnyValue]);
  }
  if (record.scope?.name) out.push(['scope.name', record.scope.name]);
  if (record.signal === 'traces') {
    if (record.status?.message) out.push(['span.status_message', record.status.message]);
    if (record.events?.length) {
      out.push([
        'span.events',
        record.events.map((e) => ({ name: e.name, time_ns: e.timeUnixNano, attributes: e.attributes })),
      ]);
    }
  }
  return out;
}
