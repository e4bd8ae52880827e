/**
 * Reads the environment against the settings schema: each declared variable is taken as text,
 * turned into its schema's type (integers, booleans as true/false/1/0/yes/no/on/off), checked by
 * TypeBox and, when unset or blank, given its default. Every problem is collected, one line per
 * variable naming it and what a valid value looks like; nothing throws here.
 */
import { Kind, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { settingsInfo, type SettingMode, type Settings } from './settings.js';

type Env = Readonly<Record<string, string | undefined>>;

export interface SettingsReading {
  settings: Settings;
  problems: string[];
}

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];

/** Reads the settings of the given modes (the service's by default: all but `client`). */
export function readSettings(env: Env, modes: readonly SettingMode[] = ['all', 'embedded', 'distributed']): SettingsReading {
  const problems: string[] = [];
  const settings: Record<string, unknown> = {};
  for (const info of settingsInfo()) {
    if (!modes.includes(info.mode)) continue;
    const raw = env[info.name];
    const given = raw === undefined || raw.trim() === '' ? undefined : info.secret ? raw : raw.trim();
    const value = given === undefined ? info.schema.default : convert(info.schema, given);
    if (value !== undefined && !Value.Check(info.schema, value)) {
      const shown = info.secret ? '(hidden)' : JSON.stringify(raw);
      problems.push(`${info.name}=${shown} must be ${expected(info.schema)}`);
      if (info.schema.default !== undefined) settings[info.name] = info.schema.default;
      continue;
    }
    if (value !== undefined) settings[info.name] = value;
  }
  return { settings: settings as Settings, problems };
}

function convert(schema: TSchema, text: string): unknown {
  const kind = schema[Kind] as string;
  if (kind === 'Integer' || kind === 'Number') return /^[+-]?\d+(\.\d+)?$/.test(text) ? Number(text) : text;
  if (kind === 'Boolean') {
    const lower = text.toLowerCase();
    if (TRUE.includes(lower)) return true;
    if (FALSE.includes(lower)) return false;
  }
  return text;
}

/** What a valid value looks like, from the schema. */
export function expected(schema: TSchema): string {
  const kind = schema[Kind] as string;
  if (kind === 'Integer') return `an integer from ${String(schema.minimum)} to ${String(schema.maximum)}`;
  if (kind === 'Boolean') return 'true or false';
  if (kind === 'Union') return `one of ${(schema.anyOf as TSchema[]).map((s) => String(s.const)).join(', ')}`;
  return typeof schema.expected === 'string' ? schema.expected : 'text';
}
