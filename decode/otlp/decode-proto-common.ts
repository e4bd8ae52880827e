/**
 * Protobuf decoding of the OTLP messages shared by traces and logs: AnyValue (and its array /
 * kvlist forms), KeyValue lists, Resource and InstrumentationScope. Field numbers are those of
 * otlp.proto. Values map to JS as records.ts describes: int64 → number when safe else decimal
 * string, bytes → Uint8Array, kvlist → object, array → array, unset → null.
 */
import type { AnyValue, Attributes, Scope } from './records.js';
import type { WireReader } from './wire-reader.js';
import { type DecodeContext, setAttribute } from './decode-context.js';

// Tags (field_number << 3 | wire_type) of the fields read here.
const ANY_STRING = 0x0a; // 1, bytes
const ANY_BOOL = 0x10; // 2, varint
const ANY_INT = 0x18; // 3, varint
const ANY_DOUBLE = 0x21; // 4, fixed64
const ANY_ARRAY = 0x2a; // 5, bytes
const ANY_KVLIST = 0x32; // 6, bytes
const ANY_BYTES = 0x3a; // 7, bytes
const KV_KEY = 0x0a; // KeyValue.key = 1
const KV_VALUE = 0x12; // KeyValue.value = 2
const LIST_VALUES = 0x0a; // ArrayValue.values = 1, KeyValueList.values = 1
const RESOURCE_ATTRIBUTES = 0x0a; // Resource.attributes = 1
const SCOPE_NAME = 0x0a; // InstrumentationScope.name = 1
const SCOPE_VERSION = 0x12; // InstrumentationScope.version = 2

/** Decodes an AnyValue occupying [r.pos, end). `depth` is 1 for an attribute's value. */
export function decodeAnyValue(r: WireReader, end: number, depth: number, ctx: DecodeContext): AnyValue {
  ctx.checkDepth(depth);
  let value: AnyValue = null;
  while (r.pos < end) {
    const tag = r.tag();
    switch (tag) {
      case ANY_STRING:
        value = r.string();
        break;
      case ANY_BOOL:
        value = r.bool();
        break;
      case ANY_INT:
        value = r.int64();
        break;
      case ANY_DOUBLE:
        value = r.double();
        break;
      case ANY_ARRAY:
        value = decodeArrayValue(r, r.lengthEnd(), depth + 1, ctx);
        break;
      case ANY_KVLIST: {
        const kvEnd = r.lengthEnd();
        ctx.checkDepth(depth + 1);
        const obj: Attributes = {};
        decodeKeyValues(r, kvEnd, LIST_VALUES, obj, depth + 1, ctx);
        value = obj;
        break;
      }
      case ANY_BYTES:
        value = r.bytes();
        break;
      default:
        r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return value;
}

function decodeArrayValue(r: WireReader, end: number, depth: number, ctx: DecodeContext): AnyValue[] {
  ctx.checkDepth(depth);
  const values: AnyValue[] = [];
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === LIST_VALUES) {
      values.push(decodeAnyValue(r, r.lengthEnd(), depth, ctx));
    } else {
      r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return values;
}

/**
 * Reads every field `listTag` (a repeated KeyValue) in [r.pos, end) into `target`, skipping the
 * other fields. Values nest at `depth` (1 for attributes). Later duplicates of a key win.
 */
export function decodeKeyValues(
  r: WireReader,
  end: number,
  listTag: number,
  target: Attributes,
  depth: number,
  ctx: DecodeContext,
): void {
  let count = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === listTag) {
      ctx.checkAttributeCount(++count);
      decodeKeyValue(r, r.lengthEnd(), target, depth, ctx);
    } else {
      r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
}

/** One KeyValue in [r.pos, end) added to `target`. */
export function decodeKeyValue(
  r: WireReader,
  end: number,
  target: Attributes,
  depth: number,
  ctx: DecodeContext,
): void {
  let key = '';
  let value: AnyValue = null;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === KV_KEY) key = r.string();
    else if (tag === KV_VALUE) value = decodeAnyValue(r, r.lengthEnd(), depth, ctx);
    else r.skip(tag & 7);
  }
  r.expectEnd(end);
  setAttribute(target, key, value);
}

/** Resource in [r.pos, end): its attributes. */
export function decodeResource(r: WireReader, end: number, target: Attributes, ctx: DecodeContext): void {
  decodeKeyValues(r, end, RESOURCE_ATTRIBUTES, target, 1, ctx);
}

/** InstrumentationScope in [r.pos, end): name and version (its attributes are not kept). */
export function decodeScope(r: WireReader, end: number, ctx: DecodeContext): Scope {
  let name = '';
  let version = '';
  let attributes = 0;
  while (r.pos < end) {
    const tag = r.tag();
    if (tag === SCOPE_NAME) name = r.string();
    else if (tag === SCOPE_VERSION) version = r.string();
    else {
      if (tag === 0x1a) ctx.checkAttributeCount(++attributes);
      r.skip(tag & 7);
    }
  }
  r.expectEnd(end);
  return { name, version };
}
