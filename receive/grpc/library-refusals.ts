/**
 * Calls the gRPC library ends by itself, before Warden's handler sees the message, answered per
 * the OTLP specification and counted like any refusal (`warden_errors_total{stage="grpc"}`):
 *   - a message larger than the limit as sent, or once inflated → RESOURCE_EXHAUSTED, without
 *     RetryInfo, so not retried (BODY_TOO_LARGE / OTLP_TOO_LARGE);
 *   - a message that claims gzip but does not inflate: the library says INTERNAL, which is the
 *     server's fault; it is the request's, so the client is told INVALID_ARGUMENT (OTLP_GZIP);
 *   - an encoding other than gzip, deflate or identity → UNIMPLEMENTED
 *     (OTLP_UNSUPPORTED_CONTENT_ENCODING).
 * Cancellations and deadlines are the client's own and not counted.
 *
 * How: a server interceptor sees what the handler answers on its way out; the library's own
 * answers go straight to the call it created, so that call's `sendStatus` is wrapped to see them.
 */
import { ServerInterceptingCall, status as GrpcCode, type ServerInterceptor, type StatusObject } from '@grpc/grpc-js';
import type { ErrorCode } from '../../lib/error-codes.js';
import type { Metrics } from '../../lib/metrics.js';

/** What the library's status means, and what the client is told; undefined: not counted. */
export function libraryRefusal(status: StatusObject): { code: ErrorCode; status: StatusObject } | undefined {
  switch (status.code) {
    case GrpcCode.OK:
    case GrpcCode.CANCELLED:
    case GrpcCode.DEADLINE_EXCEEDED:
      return undefined;
    case GrpcCode.RESOURCE_EXHAUSTED:
      return { code: /decompress/i.test(status.details) ? 'OTLP_TOO_LARGE' : 'BODY_TOO_LARGE', status };
    case GrpcCode.INTERNAL:
      return { code: 'OTLP_GZIP', status: { ...status, code: GrpcCode.INVALID_ARGUMENT, details: 'the message claims gzip but does not inflate' } };
    case GrpcCode.UNIMPLEMENTED:
      return { code: 'OTLP_UNSUPPORTED_CONTENT_ENCODING', status };
    default:
      return { code: 'BAD_REQUEST', status };
  }
}

export function libraryRefusals(metrics: Metrics, stage: string): ServerInterceptor {
  return (_method, call) => {
    // Once the handler answers (a message or a status), every later status is its own or follows it.
    let handlerAnswered = false;
    const send = call.sendStatus.bind(call);
    call.sendStatus = (status: StatusObject) => {
      const refusal = handlerAnswered ? undefined : libraryRefusal(status);
      if (refusal) metrics.errors.inc({ stage, code: refusal.code });
      send(refusal?.status ?? status);
    };
    return new ServerInterceptingCall(call, {
      sendMessage: (message, next) => {
        handlerAnswered = true;
        next(message);
      },
      sendStatus: (status, next) => {
        handlerAnswered = true;
        next(status);
      },
    });
  };
}
