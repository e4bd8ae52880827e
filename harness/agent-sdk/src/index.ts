/**
 * @warden/harness: connect a home-grown agent to Warden. `createWarden` (gate each tool call,
 * report what ran, declare the session, watch for revocation), the OpenTelemetry exporters that
 * send an agent's own telemetry to Warden, and the sinks and errors they share.
 */
export { createWarden, type Decision, type ExecutedResult, type FailMode, type GateAnswer, type Intent, type Warden, type WardenOptions, type WardenStats } from './warden.js';
export type { SessionContext } from './records.js';
export { WardenSpanExporter, WardenLogRecordExporter, type WardenExporterOptions } from './exporters.js';
export { RevocationWatcher, type RevocationWatcherOptions } from './revocation-watcher.js';
export { httpSink, kafkaSink, type HttpSinkOptions, type KafkaProducerLike, type KafkaSinkOptions, type TelemetrySink, type Signal } from './sink.js';
export { WardenError, type WardenErrorCode } from './errors.js';
