/**
 * Test helper: hand-builds protobuf wire bytes (tags, varints, length-delimited fields), for
 * payloads no well-behaved encoder would write — odd field order, unknown fields, groups, wrong
 * wire types, absurd lengths, 10,000-level nesting.
 */
export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return Buffer.from(out);
}

export function tag(fieldNumber: number, wireType: number): Buffer {
  return varint((fieldNumber << 3) | wireType);
}

/** A length-delimited field (wire type 2). */
export function len(fieldNumber: number, ...parts: (Buffer | string)[]): Buffer {
  const payload = Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : p)));
  return Buffer.concat([tag(fieldNumber, 2), varint(payload.length), payload]);
}

export function varintField(fieldNumber: number, value: number | bigint): Buffer {
  return Buffer.concat([tag(fieldNumber, 0), varint(value)]);
}

export function fixed64Field(fieldNumber: number, value: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(value);
  return Buffer.concat([tag(fieldNumber, 1), b]);
}

/** KeyValue{key, value: AnyValue bytes}. */
export function keyValue(key: string, anyValue: Buffer): Buffer {
  return Buffer.concat([len(1, key), len(2, anyValue)]);
}

/** The prefix of a length-delimited field whose payload is `size` bytes. */
function lenPrefix(fieldNumber: number, size: number): Buffer {
  return Buffer.concat([tag(fieldNumber, 2), varint(size)]);
}

/**
 * Wraps `leaf` in `levels - 1` layers; `wrap(innerSize)` returns one layer's prefix. Prefixes are
 * collected and joined once, so 10,000 levels cost one copy instead of 10,000.
 */
function nest(levels: number, leaf: Buffer, wrap: (innerSize: number) => Buffer): Buffer {
  const prefixes: Buffer[] = [];
  let size = leaf.length;
  for (let i = 1; i < levels; i++) {
    const prefix = wrap(size);
    prefixes.push(prefix);
    size += prefix.length;
  }
  return Buffer.concat([...prefixes.reverse(), leaf]);
}

/** AnyValue nested `levels` deep as array_value{values: [ ... ]}, innermost a string. */
export function nestedArrayAnyValue(levels: number): Buffer {
  return nest(levels, len(1, 'leaf'), (inner) => {
    const values = lenPrefix(1, inner); // ArrayValue.values
    return Buffer.concat([lenPrefix(5, inner + values.length), values]); // AnyValue.array_value
  });
}

/** AnyValue nested `levels` deep as kvlist_value{values: [{key: 'k', value: ...}]}. */
export function nestedKvlistAnyValue(levels: number): Buffer {
  return nest(levels, len(1, 'leaf'), (inner) => {
    const keyValue = Buffer.concat([len(1, 'k'), lenPrefix(2, inner)]); // KeyValue{key, value}
    const values = lenPrefix(1, inner + keyValue.length); // KeyValueList.values
    return Buffer.concat([lenPrefix(6, inner + keyValue.length + values.length), values, keyValue]);
  });
}

/** ExportTraceServiceRequest with one span whose fields are `spanFields`. */
export function traceRequest(spanFields: Buffer, resourceFields: Buffer = Buffer.alloc(0)): Buffer {
  return len(1, len(1, resourceFields), len(2, len(2, spanFields)));
}

/** ExportLogsServiceRequest with one log record whose fields are `logFields`. */
export function logsRequest(logFields: Buffer): Buffer {
  return len(1, len(2, len(2, logFields)));
}
