/**
 * Encoding <-> `content-type` header. Warden's producer labels each message; the OTel Collector's
 * Kafka exporter does not, so a message without a recognised header gets the encoding configured
 * for its topic (the Collector's `encoding` setting).
 */
import type { Encoding } from '../transport/transport.js';

export const CONTENT_TYPE_HEADER = 'content-type';

const CONTENT_TYPES: Readonly<Record<Encoding, string>> = {
  otlp_proto: 'application/x-protobuf',
  otlp_json: 'application/json',
};

export function contentTypeOf(encoding: Encoding): string {
  return CONTENT_TYPES[encoding];
}

/** The encoding a content-type names, or undefined when it names none we read. */
export function encodingOf(contentType: string | undefined): Encoding | undefined {
  const mime = contentType?.split(';')[0]?.trim().toLowerCase();
  switch (mime) {
    case 'application/x-protobuf':
    case 'application/protobuf':
    case 'application/vnd.google.protobuf':
      return 'otlp_proto';
    case 'application/json':
      return 'otlp_json';
    default:
      return undefined;
  }
}
