/**
 * encodeExportResponse: the body of an OTLP/HTTP answer, an ExportTraceServiceResponse or
 * ExportLogsServiceResponse in the request's encoding. Without `partial` the response is empty
 * (everything accepted); with it, `partial_success` carries the rejected count
 * (rejected_spans / rejected_log_records) and a message saying why.
 */
import type { Encoding } from '../../model/encoding.js';
import type { Signal } from '../../model/message.js';
import { longBits, otlpTypes } from './schema.js';
import { OtlpErrorCode, otlpError } from './otlp-errors.js';

export interface PartialSuccess {
  rejected: number;
  errorMessage: string;
}

export function encodeExportResponse(signal: Signal, encoding: Encoding, partial?: PartialSuccess): Buffer {
  if (signal !== 'traces' && signal !== 'logs') {
    throw otlpError(OtlpErrorCode.UNSUPPORTED_SIGNAL, `unsupported signal ${String(signal)}`);
  }
  if (encoding !== 'otlp_proto' && encoding !== 'otlp_json') {
    throw otlpError(OtlpErrorCode.UNSUPPORTED_ENCODING, `unsupported encoding ${String(encoding)}`);
  }
  const rejectedKey = signal === 'traces' ? 'rejectedSpans' : 'rejectedLogRecords';
  if (encoding === 'otlp_json') {
    const body =
      partial === undefined
        ? {}
        : { partialSuccess: { [rejectedKey]: String(rejectedCount(partial.rejected)), errorMessage: partial.errorMessage } };
    return Buffer.from(JSON.stringify(body), 'utf8');
  }
  const type = signal === 'traces' ? otlpTypes.ExportTraceServiceResponse : otlpTypes.ExportLogsServiceResponse;
  const message =
    partial === undefined
      ? {}
      : {
          partialSuccess: {
            [rejectedKey]: longBits(BigInt(rejectedCount(partial.rejected))),
            errorMessage: partial.errorMessage,
          },
        };
  const bytes = type.encode(message).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A count for the wire: a non-negative integer (anything else becomes 0). */
function rejectedCount(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.trunc(n) : 0;
}
