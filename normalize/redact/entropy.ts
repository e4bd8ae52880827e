/**
 * Is a value random enough to be a key? Shannon entropy (bits per character) plus a few shape
 * checks. Used only next to secret-like names: a random-looking string on its own (a git SHA,
 * a UUID, a base64 blob) is not treated as a secret.
 */

/** Minimum length of a random-looking value (hex values need more, see below). */
export const MIN_RANDOM_LENGTH = 16;
export const MIN_RANDOM_HEX_LENGTH = 20;
/** Longer values are data (a blob, a document), not a key; also bounds the work per value. */
export const MAX_RANDOM_LENGTH = 1000;
/** Bits per character: random base64 of length 20+ is above 4, English-ish words around 3. */
export const ENTROPY_THRESHOLD = 3.5;
/** Hex has only 16 symbols (max 4 bits), so its threshold is lower. */
export const HEX_ENTROPY_THRESHOLD = 3.0;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]+$/i;
const TOKEN_CHARS = /^[A-Za-z0-9+/=_\-.~:]+$/;

export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** True for strings that look like generated keys or tokens rather than words, paths or ids. */
export function looksRandom(value: string): boolean {
  if (value.length < MIN_RANDOM_LENGTH || value.length > MAX_RANDOM_LENGTH || !TOKEN_CHARS.test(value)) return false;
  if (UUID.test(value)) return false;
  if (HEX.test(value)) {
    return value.length >= MIN_RANDOM_HEX_LENGTH && shannonEntropy(value) >= HEX_ENTROPY_THRESHOLD;
  }
  const classes = Number(/[a-z]/.test(value)) + Number(/[A-Z]/.test(value)) + Number(/[0-9]/.test(value));
  if (classes < 2) return false;
  return shannonEntropy(value) >= ENTROPY_THRESHOLD;
}
