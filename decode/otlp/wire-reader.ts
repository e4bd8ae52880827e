/**
 * A minimal protobuf wire-format reader over one Buffer: varints, fixed32/64, doubles,
 * length-delimited ranges and skipping of unknown fields (including groups, iteratively).
 * The decoders walk the OTLP messages with it directly into Warden's flat records, without
 * building intermediate message objects. Every read is bounds-checked against the buffer and
 * throws OTLP_DECODE_PROTO on truncated or malformed input; nothing here recurses.
 *
 * Wire format recap: a field is `varint(field_number << 3 | wire_type)` followed by a varint
 * (type 0), 8 bytes (type 1), `varint(length)` + bytes (type 2), group start/end (3/4, legacy)
 * or 4 bytes (type 5). Integers are little-endian.
 */
import { OtlpErrorCode, otlpError } from './otlp-errors.js';
import { bytesToHex } from './hex.js';

const TWO_32 = 4294967296;

export class WireReader {
  readonly buf: Buffer;
  pos: number;
  readonly len: number;

  constructor(buf: Buffer) {
    this.buf = buf;
    this.pos = 0;
    this.len = buf.length;
  }

  fail(what: string): never {
    throw otlpError(OtlpErrorCode.DECODE_PROTO, `invalid protobuf: ${what} at byte ${this.pos}`, {
      offset: this.pos,
    });
  }

  /** A varint truncated to its low 32 bits, as an unsigned number (tags, enums, counts). */
  uint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.len && buf[pos]! < 0x80) {
      this.pos = pos + 1;
      return buf[pos]!;
    }
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (pos >= this.len) this.fail('truncated varint');
      const b = buf[pos++]!;
      if (shift < 32) value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) {
        this.pos = pos;
        return value % TWO_32;
      }
    }
    return this.fail('varint longer than 10 bytes');
  }

  /** A field tag; field number 0 is invalid. */
  tag(): number {
    const tag = this.uint32();
    if (tag >>> 3 === 0) this.fail('field number 0');
    return tag;
  }

  /** The length prefix of a length-delimited field, checked against the bytes left; returns the end. */
  lengthEnd(): number {
    const buf = this.buf;
    let pos = this.pos;
    let value = 0;
    let shift = 0;
    while (true) {
      if (pos >= this.len) this.fail('truncated length');
      const b = buf[pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
      if (shift > 35) this.fail('length varint too long');
    }
    this.pos = pos;
    if (value > this.len - pos) this.fail(`declared length ${value} exceeds the ${this.len - pos} bytes left`);
    return pos + value;
  }

  bool(): boolean {
    return this.uint32() !== 0;
  }

  /**
   * A signed 64-bit varint (int64): a number when it is a safe integer, else its decimal string.
   */
  int64(): number | string {
    const buf = this.buf;
    let pos = this.pos;
    let lo = 0;
    let hi = 0;
    let i = 0;
    for (; i < 10; i++) {
      if (pos >= this.len) this.fail('truncated varint');
      const b = buf[pos++]!;
      const bits = b & 0x7f;
      const shift = i * 7;
      if (shift < 28) lo |= bits << shift;
      else if (shift === 28) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >>> 4;
      } else hi |= bits << (shift - 32);
      if (b < 0x80) break;
    }
    if (i === 10) this.fail('varint longer than 10 bytes');
    this.pos = pos;
    lo >>>= 0;
    hi >>>= 0;
    if (hi < 0x200000) return hi * TWO_32 + lo;
    const big = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
    const asNumber = Number(big);
    return Number.isSafeInteger(asNumber) ? asNumber : big.toString();
  }

  double(): number {
    if (this.pos + 8 > this.len) this.fail('truncated double');
    const v = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }

  fixed32(): number {
    if (this.pos + 4 > this.len) this.fail('truncated fixed32');
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  /** An unsigned fixed64 (OTLP timestamps) as a decimal string: no precision is lost. */
  fixed64String(): string {
    const pos = this.pos;
    if (pos + 8 > this.len) this.fail('truncated fixed64');
    this.pos = pos + 8;
    const hi = this.buf.readUInt32LE(pos + 4);
    if (hi < 0x200000) return String(hi * TWO_32 + this.buf.readUInt32LE(pos));
    return this.buf.readBigUInt64LE(pos).toString();
  }

  string(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    return start === end ? '' : this.buf.toString('utf8', start, end);
  }

  /** Bytes as lowercase hex (trace and span ids). */
  hex(): string {
    const end = this.lengthEnd();
    const start = this.pos;
    this.pos = end;
    return bytesToHex(this.buf, start, end);
  }

  /** Bytes copied out of the request buffer, so the record does not pin the whole request. */
  bytes(): Uint8Array {
    const end = this.lengthEnd();
    const out = new Uint8Array(end - this.pos);
    out.set(this.buf.subarray(this.pos, end));
    this.pos = end;
    return out;
  }

  /** Skips one field's value given its wire type; groups are skipped without recursion. */
  skip(wireType: number): void {
    switch (wireType) {
      case 0:
        this.uint32();
        return;
      case 1:
        if (this.pos + 8 > this.len) this.fail('truncated fixed64');
        this.pos += 8;
        return;
      case 2:
        this.pos = this.lengthEnd();
        return;
      case 3:
        this.skipGroup();
        return;
      case 5:
        if (this.pos + 4 > this.len) this.fail('truncated fixed32');
        this.pos += 4;
        return;
      default:
        this.fail(`unexpected wire type ${wireType}`);
    }
  }

  private skipGroup(): void {
    let depth = 1;
    while (depth > 0) {
      const wireType = this.tag() & 7;
      if (wireType === 3) depth++;
      else if (wireType === 4) depth--;
      else this.skip(wireType);
    }
  }

  /** Ends a nested message: its fields must have ended exactly at its declared length. */
  expectEnd(end: number): void {
    if (this.pos !== end) this.fail('field overruns its enclosing message');
  }
}
