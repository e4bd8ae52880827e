/**
 * The Kafka transport: producer (receiver -> `otlp_spans`/`otlp_logs`), consumer group (topics ->
 * pipeline, offsets committed after the handler resolved) and dead-letter sink.
 */
export { KafkaTransportProducer } from './producer.js';
export { KafkaTransportConsumer, DEFAULT_MAX_IN_FLIGHT as KAFKA_MAX_IN_FLIGHT } from './consumer.js';
export { KafkaDeadLetterSink, DEAD_LETTER_HEADERS } from './dead-letter.js';
export { CONTENT_TYPE_HEADER, contentTypeOf, encodingOf } from './content-type.js';
export * from './options.js';
