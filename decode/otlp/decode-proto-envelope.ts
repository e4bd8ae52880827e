/**
 * The envelope both OTLP export requests share, decoded from protobuf:
 *
 *   Export{Trace,Logs}ServiceRequest.resource_{spans,logs} = 1
 *     Resource{Spans,Logs}: resource = 1, scope_{spans,logs} = 2
 *       Scope{Spans,Logs}: scope = 1, {spans,log_records} = 2
 *
 * Walks it and calls `decodeRecord` for each span or log record with its resource attributes and
 * scope. Fields may arrive in any order, so a resource (or scope) that follows its children on
 * the wire still applies to them: child ranges are collected first and decoded afterwards.
 */
import type { Attributes, Scope } from './records.js';
import type { WireReader } from './wire-reader.js';
import type { DecodeContext } from './decode-context.js';
import { decodeResource, decodeScope } from './decode-proto-common.js';

const FIELD_1_MESSAGE = 0x0a; // resource_*, resource, scope
const FIELD_2_MESSAGE = 0x12; // scope_*, spans / log_records

export type RecordDecoder<T> = (r: WireReader, end: number, resource: Attributes, scope: Scope) => T;

export function decodeEnvelope<T>(r: WireReader, ctx: DecodeContext, decodeRecord: RecordDecoder<T>): T[] {
  const out: T[] = [];
  const end = r.len;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === FIELD_1_MESSAGE) {
      decodeResourceGroup(r, r.lengthEnd(), ctx, decodeRecord, out);
    } else {
      r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return out;
}

function decodeResourceGroup<T>(
  r: WireReader,
  end: number,
  ctx: DecodeContext,
  decodeRecord: RecordDecoder<T>,
  out: T[],
): void {
  const resource: Attributes = {};
  const scopeRanges: number[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === FIELD_1_MESSAGE) {
      decodeResource(r, r.lengthEnd(), resource, ctx);
    } else if (tag === FIELD_2_MESSAGE) {
      const scopeEnd = r.lengthEnd();
      scopeRanges.push(r.pos, scopeEnd);
      r.pos = scopeEnd;
    } else {
      r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  for (let i = 0; i < scopeRanges.length; i += 2) {
    r.pos = scopeRanges[i]!;
    decodeScopeGroup(r, scopeRanges[i + 1]!, resource, ctx, decodeRecord, out);
  }
  r.pos = end;
}

function decodeScopeGroup<T>(
  r: WireReader,
  end: number,
  resource: Attributes,
  ctx: DecodeContext,
  decodeRecord: RecordDecoder<T>,
  out: T[],
): void {
  let scope: Scope = { name: '', version: '' };
  const recordRanges: number[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === FIELD_1_MESSAGE) {
      scope = decodeScope(r, r.lengthEnd(), ctx);
    } else if (tag === FIELD_2_MESSAGE) {
      const recordEnd = r.lengthEnd();
      ctx.countRecord();
      recordRanges.push(r.pos, recordEnd);
      r.pos = recordEnd;
    } else {
      r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  for (let i = 0; i < recordRanges.length; i += 2) {
    r.pos = recordRanges[i]!;
    out.push(decodeRecord(r, recordRanges[i + 1]!, resource, scope));
  }
}
