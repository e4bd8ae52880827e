/**
 * Per-request decoding state shared by the protobuf and JSON decoders: the limits in force and
 * the running record count, plus the checks that turn a limit breach into its error code.
 */
import type { AnyValue, Attributes } from './records.js';
import type { DecodeLimits } from './limits.js';
import { OtlpErrorCode, otlpError } from './otlp-errors.js';

export class DecodeContext {
  readonly maxDepth: number;
  readonly maxAttributes: number;
  readonly maxRecords: number;
  records = 0;

  constructor(limits: DecodeLimits) {
    this.maxDepth = limits.maxDepth;
    this.maxAttributes = limits.maxAttributes;
    this.maxRecords = limits.maxRecords;
  }

  /** Called before each span or log record is built. */
  countRecord(): void {
    if (++this.records > this.maxRecords) {
      throw otlpError(OtlpErrorCode.TOO_MANY_RECORDS, `request holds more than ${this.maxRecords} records`, {
        maxRecords: this.maxRecords,
      });
    }
  }

  checkDepth(depth: number): void {
    if (depth > this.maxDepth) {
      throw otlpError(OtlpErrorCode.TOO_DEEP, `value nested deeper than ${this.maxDepth} levels`, {
        maxDepth: this.maxDepth,
      });
    }
  }

  checkAttributeCount(count: number): void {
    if (count > this.maxAttributes) {
      throw otlpError(OtlpErrorCode.TOO_MANY_ATTRIBUTES, `more than ${this.maxAttributes} attributes in one list`, {
        maxAttributes: this.maxAttributes,
      });
    }
  }
}

/**
 * Sets an attribute on a plain object. A key named `__proto__` becomes an ordinary own property
 * instead of replacing the object's prototype.
 */
export function setAttribute(target: Attributes, key: string, value: AnyValue): void {
  if (key === '__proto__') {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    target[key] = value;
  }
}
