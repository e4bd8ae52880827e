/**
 * The OTLP message schema (otlp.proto, beside this file) loaded into protobufjs once at module
 * load. The encoder and the export responses use these types; the decoder walks the same field
 * numbers by hand for speed (decode-proto-*.ts) and is cross-checked against them in tests.
 */
import { readFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const PROTO_TEXT = readFileSync(new URL('./otlp.proto', import.meta.url), 'utf8');

const root = protobuf.parse(PROTO_TEXT, { keepCase: false }).root;

function type(name: string): protobuf.Type {
  return root.lookupType(`warden.otlp.${name}`);
}

export const otlpTypes = {
  ExportTraceServiceRequest: type('ExportTraceServiceRequest'),
  ExportTraceServiceResponse: type('ExportTraceServiceResponse'),
  ExportLogsServiceRequest: type('ExportLogsServiceRequest'),
  ExportLogsServiceResponse: type('ExportLogsServiceResponse'),
  AnyValue: type('AnyValue'),
} as const;

/**
 * A 64-bit value in the `{ low, high }` form protobufjs writes for (u)int64 and fixed64 fields,
 * from a bigint (two's complement for negatives), so no precision is lost on the way.
 */
export function longBits(value: bigint): { low: number; high: number; unsigned: boolean } {
  const u = BigInt.asUintN(64, value);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: value >= 0n };
}
