/**
 * How an OTLP export request is written on the wire (and on a Kafka topic): protobuf or OTLP/JSON.
 * Configuration names the encoding of each topic; the receiver, the transport and the decoder
 * carry it with every message.
 */
export const ENCODINGS = ['otlp_proto', 'otlp_json'] as const;

export type Encoding = (typeof ENCODINGS)[number];
