/**
 * Lowercase hex for trace and span ids (OTLP carries them as raw bytes in protobuf and as hex
 * strings in OTLP/JSON), and the reverse for the encoder.
 */
const HEX_BYTE: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function bytesToHex(buf: Uint8Array, start: number, end: number): string {
  let out = '';
  for (let i = start; i < end; i++) out += HEX_BYTE[buf[i]!];
  return out;
}

const HEX_RE = /^(?:[0-9a-fA-F]{2})*$/;

export function isHex(s: string): boolean {
  return HEX_RE.test(s);
}

/** Hex string to bytes; the caller checks `isHex` first. */
export function hexToBytes(hex: string): Buffer {
  return Buffer.from(hex, 'hex');
}
