/**
 * Config validation that reports every problem at once, each naming its field
 * (`thresholds.high: expected a number between 0 and 10, got "x"`). A detector's `validate`
 * reads a raw (partial) config through `Fields`, taking the base value for anything absent,
 * and returns the merged config with the list of problems; unknown fields are problems too,
 * so a typo never silently leaves a default in place.
 */

export interface NumberRule {
  min?: number;
  max?: number;
  integer?: boolean;
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

export class Fields {
  private readonly obj: Record<string, unknown>;

  constructor(raw: unknown, private readonly prefix: string, known: readonly string[], readonly problems: string[]) {
    if (raw === undefined || raw === null) {
      this.obj = {};
    } else if (typeof raw !== 'object' || Array.isArray(raw)) {
      problems.push(`${prefix || 'config'}: expected an object, got ${show(raw)}`);
      this.obj = {};
    } else {
      this.obj = raw as Record<string, unknown>;
      for (const k of Object.keys(this.obj)) if (!known.includes(k)) problems.push(`${this.path(k)}: unknown field`);
    }
  }

  path(name: string): string {
    return this.prefix ? `${this.prefix}.${name}` : name;
  }

  has(name: string): boolean {
    return this.obj[name] !== undefined;
  }

  raw(name: string): unknown {
    return this.obj[name];
  }

  number(name: string, base: number, rule: NumberRule = {}): number {
    const v = this.obj[name];
    if (v === undefined) return base;
    const { min = -Infinity, max = Infinity, integer = false } = rule;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
      const kind = integer ? 'an integer' : 'a number';
      this.problems.push(`${this.path(name)}: expected ${kind} between ${min} and ${max}, got ${show(v)}`);
      return base;
    }
    return v;
  }

  boolean(name: string, base: boolean): boolean {
    const v = this.obj[name];
    if (v === undefined) return base;
    if (typeof v !== 'boolean') {
      this.problems.push(`${this.path(name)}: expected true or false, got ${show(v)}`);
      return base;
    }
    return v;
  }

  string(name: string, base: string): string {
    const v = this.obj[name];
    if (v === undefined) return base;
    if (typeof v !== 'string') {
      this.problems.push(`${this.path(name)}: expected a string, got ${show(v)}`);
      return base;
    }
    return v;
  }

  oneOf<T extends string>(name: string, base: T, allowed: readonly T[]): T {
    const v = this.obj[name];
    if (v === undefined) return base;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${this.path(name)}: expected one of ${allowed.join(', ')}, got ${show(v)}`);
      return base;
    }
    return v as T;
  }

  strings(name: string, base: readonly string[]): string[] {
    const v = this.obj[name];
    if (v === undefined) return [...base];
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string' || s === '')) {
      this.problems.push(`${this.path(name)}: expected a list of non-empty strings, got ${show(v)}`);
      return [...base];
    }
    return [...(v as string[])];
  }

  /** A nested object's fields (absent → all defaults). */
  object(name: string, known: readonly string[]): Fields {
    return new Fields(this.obj[name], this.path(name), known, this.problems);
  }

  /** Records a cross-field problem. */
  problem(name: string, message: string): void {
    this.problems.push(`${this.path(name)}: ${message}`);
  }
}
