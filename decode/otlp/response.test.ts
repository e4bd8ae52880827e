/**
 * Export responses, checked with decoders that are not ours: the OTel JS exporter's own response
 * deserializers (what a real client reads) and protobufjs reflection over otlp.proto.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  JsonLogsSerializer,
  JsonTraceSerializer,
  ProtobufLogsSerializer,
  ProtobufTraceSerializer,
} from '@opentelemetry/otlp-transformer';
import { encodeExportResponse } from './response.js';
import { otlpTypes } from './schema.js';

test('a full success is an empty response in both encodings', () => {
  assert.equal(encodeExportResponse('traces', 'otlp_proto').length, 0);
  assert.equal(encodeExportResponse('logs', 'otlp_json').toString(), '{}');
  assert.deepEqual(ProtobufTraceSerializer.deserializeResponse(encodeExportResponse('traces', 'otlp_proto')), {});
});

test('partial success carries the rejected count and message, as an OTel exporter reads it', () => {
  const partial = { rejected: 3, errorMessage: '3 spans had no session id' };
  const traceProto = ProtobufTraceSerializer.deserializeResponse(encodeExportResponse('traces', 'otlp_proto', partial));
  assert.equal(Number(traceProto.partialSuccess?.rejectedSpans), 3);
  assert.equal(traceProto.partialSuccess?.errorMessage, partial.errorMessage);
  const logsProto = ProtobufLogsSerializer.deserializeResponse(encodeExportResponse('logs', 'otlp_proto', partial));
  assert.equal(Number(logsProto.partialSuccess?.rejectedLogRecords), 3);
  assert.equal(logsProto.partialSuccess?.errorMessage, partial.errorMessage);
  const traceJson = JsonTraceSerializer.deserializeResponse(encodeExportResponse('traces', 'otlp_json', partial));
  assert.equal(Number(traceJson.partialSuccess?.rejectedSpans), 3);
  const logsJson = JsonLogsSerializer.deserializeResponse(encodeExportResponse('logs', 'otlp_json', partial));
  assert.equal(Number(logsJson.partialSuccess?.rejectedLogRecords), 3);
  assert.equal(logsJson.partialSuccess?.errorMessage, partial.errorMessage);
});

test('large rejected counts survive and nonsense counts become 0', () => {
  const big = otlpTypes.ExportLogsServiceResponse.toObject(
    otlpTypes.ExportLogsServiceResponse.decode(encodeExportResponse('logs', 'otlp_proto', { rejected: 2 ** 40, errorMessage: '' })),
    { longs: String },
  );
  assert.equal(big['partialSuccess'].rejectedLogRecords, String(2 ** 40));
  const nan = JSON.parse(encodeExportResponse('traces', 'otlp_json', { rejected: NaN, errorMessage: 'x' }).toString()) as {
    partialSuccess: { rejectedSpans: string };
  };
  assert.equal(nan.partialSuccess.rejectedSpans, '0');
});
