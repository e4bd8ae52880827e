/**
 * The OTLP/gRPC receiver (`@grpc/grpc-js`, pure JavaScript): a server on `host:port` (4317 by
 * default) serving
 *   opentelemetry.proto.collector.trace.v1.TraceService/Export
 *   opentelemetry.proto.collector.logs.v1.LogsService/Export
 *   opentelemetry.proto.collector.metrics.v1.MetricsService/Export (accepted, counted, not stored)
 * beside OTLP/HTTP, with the same tokens, limits, checks, transport and answers (grpc-export.ts,
 * grpc-status.ts).
 *
 * The services are declared over raw bytes (serialize and deserialize are the identity), so the
 * library never decodes a message: the request reaches the handler as sent (inflated, when sent
 * with `grpc-encoding: gzip`), is checked by the HTTP receiver's own function and handed to the
 * transport as is, encoding `otlp_proto`. The library bounds a message by
 * `grpc.max_receive_message_length`, as sent and once inflated; it is set to the larger of the
 * body limit and the inflated limit, and the handler holds the inflated message to the latter.
 *
 * `close()` stops taking calls, lets those in flight finish (up to `graceMs`), then cuts the rest.
 */
import { Server, ServerCredentials, type sendUnaryData, type ServerUnaryCall, type ServiceDefinition } from '@grpc/grpc-js';
import type { Logger } from '../../lib/logger.js';
import { exportRequest, STAGE, type GrpcExportOptions, type GrpcSignal } from './grpc-export.js';
import { GrpcCode, toGrpcError } from './grpc-status.js';
import { PermanentError } from '../../lib/errors.js';
import { libraryRefusals } from './library-refusals.js';

export const SERVICE_PATHS: Readonly<Record<GrpcSignal, string>> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

export interface OtlpGrpcServerOptions extends GrpcExportOptions {
  logger: Logger;
  /** Interface to bind (WARDEN_HTTP_HOST). */
  host: string;
  /** 0: ephemeral. */
  port: number;
  /** Largest message as sent (WARDEN_BODY_LIMIT_BYTES). */
  maxMessageBytes: number;
  /** How long `close()` waits for calls in flight. Default 5 s. */
  graceMs?: number;
}

const identity = (bytes: Buffer): Buffer => bytes;

/** One unary `Export` method over raw bytes. */
export function rawService(path: string): ServiceDefinition {
  return {
    Export: {
      path,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  };
}

function hostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export class OtlpGrpcServer {
  private constructor(
    private readonly server: Server,
    /** The port bound (the ephemeral one when asked for 0). */
    readonly port: number,
    /** `host:port` a client dials. */
    readonly address: string,
    private readonly graceMs: number,
  ) {}

  static async start(options: OtlpGrpcServerOptions): Promise<OtlpGrpcServer> {
    const server = new Server({
      'grpc.max_receive_message_length': Math.max(options.maxMessageBytes, options.maxDecodedBytes),
      interceptors: [libraryRefusals(options.metrics, STAGE)],
    });
    for (const signal of Object.keys(SERVICE_PATHS) as GrpcSignal[]) {
      const handler = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
        exportRequest(signal, call.request, call.metadata, options).then(
          (response) => callback(null, response),
          (err: unknown) => {
            const { code, status } = toGrpcError(err);
            if (status.code === GrpcCode.INTERNAL) options.logger.error({ err, signal }, 'OTLP/gRPC export failed');
            options.metrics.errors.inc({ stage: STAGE, code });
            callback(status);
          },
        );
      };
      server.addService(rawService(SERVICE_PATHS[signal]), { Export: handler });
    }
    const address = hostPort(options.host, options.port);
    const port = await new Promise<number>((resolve, reject) => {
      server.bindAsync(address, ServerCredentials.createInsecure(), (err, bound) => {
        if (!err) return resolve(bound);
        const hint = 'set WARDEN_GRPC_PORT, or WARDEN_GRPC=false to switch OTLP/gRPC off';
        reject(new PermanentError('STARTUP_FAILED', `OTLP/gRPC cannot listen on ${address}: ${err.message} (${hint})`, { cause: err }));
      });
    });
    return new OtlpGrpcServer(server, port, hostPort(options.host, port), options.graceMs ?? 5_000);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.server.forceShutdown();
        resolve();
      }, this.graceMs);
      timer.unref();
      this.server.tryShutdown(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
