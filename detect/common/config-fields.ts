/**
 * Config validation for the detectors and the policy, reporting every problem at once, each
 * naming its field (`thresholds.high: expected a number between 0 and 10, got "x"`).
 *
 * A `validate(raw, base)` reads a raw config, as parsed from YAML, through `Fields` and builds
 * the typed config field by field. A read returns the field's value when it is right; when it is
 * wrong it records a problem and returns the base value instead, so the config built is always
 * well-typed. An absent field takes the base value; with no base (a detector's complete
 * `defaults.yaml`, a key the policy requires) an absent field is a problem too. Keys a mapping
 * does not know are problems, so a typo never silently leaves a default in place. Open mappings
 * (`entries`: weights by rule id, tools by name) take any key and merge over the base's; lists
 * replace as a whole.
 */

export interface NumberRule {
  min?: number;
  max?: number;
  /** Strictly greater than. */
  above?: number;
  integer?: boolean;
}

export interface StringRule {
  nonEmpty?: boolean;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

function describeNumber({ min, max, above, integer }: NumberRule): string {
  const kind = integer ? 'an integer' : 'a number';
  if (above !== undefined) return `${kind} greater than ${above}${max === undefined ? '' : ` and at most ${max}`}`;
  if (min !== undefined && max !== undefined) return `${kind} between ${min} and ${max}`;
  if (min !== undefined) return `${kind} of at least ${min}`;
  return max === undefined ? kind : `${kind} of at most ${max}`;
}

function inRange(v: unknown, { min, max, above, integer }: NumberRule): v is number {
  if (typeof v !== 'number' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) return false;
  return (above === undefined || v > above) && (min === undefined || v >= min) && (max === undefined || v <= max);
}

const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string' && s !== '');

export class Fields {
  private readonly obj: Record<string, unknown>;
  /** The value was not a mapping: that one problem covers its fields, none is reported missing. */
  private broken = false;

  /**
   * `raw` undefined or null: an empty mapping. `known`: the keys the mapping may have; undefined
   * for an open mapping (its keys are data).
   */
  constructor(raw: unknown, private readonly prefix: string, known: readonly string[] | undefined, readonly problems: string[]) {
    if (raw === undefined || raw === null) {
      this.obj = {};
    } else if (!isMapping(raw)) {
      problems.push(`${prefix || 'config'}: expected a mapping, got ${show(raw)}`);
      this.obj = {};
      this.broken = true;
    } else {
      this.obj = raw;
      if (known) for (const k of Object.keys(raw)) if (!known.includes(k)) this.problem(k, `unknown key (known: ${known.join(', ')})`);
    }
  }

  path(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  has(name: string): boolean {
    return this.raw(name) !== undefined;
  }

  raw(name: string): unknown {
    return Object.hasOwn(this.obj, name) ? this.obj[name] : undefined;
  }

  /** The keys present, in file order. */
  keys(): string[] {
    return Object.keys(this.obj);
  }

  /** Records a problem of one field (cross-field rules, domain checks). */
  problem(name: string, message: string): void {
    this.problems.push(`${this.path(name)}: ${message}`);
  }

  /** A field of any shape: its value if `is` accepts it, else the base (`empty` when there is none), with a problem. */
  value<T>(name: string, base: T | undefined, expected: string, is: (v: unknown) => v is T, empty: T): T {
    const v = this.raw(name);
    return v !== undefined && is(v) ? v : this.fallback(name, base, expected, empty);
  }

  number(name: string, base: number | undefined, rule: NumberRule = {}): number {
    return this.value(name, base, describeNumber(rule), (v): v is number => inRange(v, rule), 0);
  }

  boolean(name: string, base: boolean | undefined): boolean {
    return this.value(name, base, 'true or false', (v): v is boolean => typeof v === 'boolean', false);
  }

  string(name: string, base: string | undefined, rule: StringRule = {}): string {
    const is = (v: unknown): v is string => typeof v === 'string' && !(rule.nonEmpty && v === '');
    return this.value(name, base, rule.nonEmpty ? 'a non-empty string' : 'a string', is, '');
  }

  oneOf<T extends string>(name: string, base: T | undefined, allowed: readonly T[]): T {
    const is = (v: unknown): v is T => typeof v === 'string' && (allowed as readonly string[]).includes(v);
    return this.value(name, base, `one of ${allowed.join(', ')}`, is, allowed[0] as T);
  }

  strings(name: string, base: readonly string[] | undefined): string[] {
    return [...this.value(name, base, 'a list of non-empty strings', isStrings, [])];
  }

  /** A list whose every element is one of `allowed`; a wrong element is reported at its index. */
  oneOfList<T extends string>(name: string, base: readonly T[] | undefined, allowed: readonly T[]): T[] {
    const v = this.raw(name);
    const ok = (x: unknown): x is T => typeof x === 'string' && (allowed as readonly string[]).includes(x);
    if (!Array.isArray(v) || v.every(ok)) {
      return [...this.value(name, base, `a list of values from ${allowed.join(', ')}`, (x): x is T[] => Array.isArray(x) && x.every(ok), [])];
    }
    v.forEach((x, i) => {
      if (!ok(x)) this.problems.push(`${this.path(name)}[${i}]: expected one of ${allowed.join(', ')}, got ${show(x)}`);
    });
    return [...(base ?? [])];
  }

  /** A nested mapping's fields; absent → every read takes its base. `known` undefined: an open mapping. */
  object(name: string, known?: readonly string[]): Fields {
    return this.child(this.raw(name), this.path(name), known);
  }

  /** A mapping with exactly `keys`, each a number within `rule`; keys it leaves out take the base's. */
  numbers<K extends string>(name: string, keys: readonly K[], base: Readonly<Record<K, number>> | undefined, rule: NumberRule = {}): Record<K, number> {
    const m = this.object(name, keys);
    return Object.fromEntries(keys.map((k) => [k, m.number(k, base?.[k], rule)])) as Record<K, number>;
  }

  /** A list of mappings, replaced as a whole; `read` builds each entry from its fields. */
  list<T>(name: string, base: readonly T[] | undefined, known: readonly string[], read: (entry: Fields, i: number) => T, rule: { nonEmpty?: boolean } = {}): T[] {
    const v = this.raw(name);
    if (!Array.isArray(v) || (rule.nonEmpty && v.length === 0)) {
      return [...this.fallback(name, base, `a ${rule.nonEmpty ? 'non-empty ' : ''}list of {${known.join(', ')}}`, [])];
    }
    return v.map((entry, i) => read(this.child(entry, `${this.path(name)}[${i}]`, known), i));
  }

  /**
   * An open mapping (its keys are data) merged over `base`: `read` builds the entry of each key
   * the raw mapping names, given the mapping's fields, the key and the base's entry for that key
   * (undefined for a new key); the base's other entries stay.
   */
  entries<T>(name: string, base: Readonly<Record<string, T>> | undefined, read: (m: Fields, key: string, prev: T | undefined) => T): Record<string, T> {
    if (!this.has(name)) return { ...this.fallback(name, base, 'a mapping', {}) };
    const m = this.object(name);
    const out: Record<string, T> = { ...base };
    for (const key of m.keys()) out[key] = read(m, key, base !== undefined && Object.hasOwn(base, key) ? base[key] : undefined);
    return out;
  }

  /** A nested mapping: unlike the root, null there is a problem (`baseline:` with nothing under it). */
  private child(raw: unknown, path: string, known: readonly string[] | undefined): Fields {
    const f = new Fields(raw, path, known, this.problems);
    if (raw === null) {
      this.problems.push(`${path}: expected a mapping, got null`);
      f.broken = true;
    }
    return f;
  }

  private fallback<T>(name: string, base: T | undefined, expected: string, empty: T): T {
    const v = this.raw(name);
    if (v === undefined && (base !== undefined || this.broken)) return base ?? empty;
    this.problem(name, v === undefined ? `missing (expected ${expected})` : `expected ${expected}, got ${show(v)}`);
    return base ?? empty;
  }
}
