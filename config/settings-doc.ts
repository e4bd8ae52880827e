/**
 * The settings schema written out for people: the text `warden start --help` prints after its
 * options, and the README's settings table (between its two markers, rewritten by
 * `npm run docs:config`). Both list every declared variable, grouped by the mode it applies to,
 * with its default; nothing here is written by hand.
 */
import { expected } from './read-settings.js';
import { settingsInfo, type SettingInfo, type SettingMode } from './settings.js';

const MODE_TITLES: Readonly<Record<SettingMode, string>> = {
  all: 'All modes',
  embedded: 'Embedded mode (no KAFKA_BROKERS: in-process queue, embedded ClickHouse)',
  distributed: 'Distributed mode (KAFKA_BROKERS; a ClickHouse server with CLICKHOUSE_URL)',
  client: 'Commands that talk to a running Warden (warden hook, sessions, query, revoke, ...)',
};
const MODES: readonly SettingMode[] = ['all', 'embedded', 'distributed', 'client'];

export const TABLE_START = '<!-- settings table: generated from config/settings.ts by `npm run docs:config`; do not edit by hand -->';
export const TABLE_END = '<!-- end of settings table -->';

const NAME_WIDTH = 34;
const LINE_WIDTH = 100;

/** What a value may be, beyond its description: bounds or choices. */
function allowed(info: SettingInfo): string {
  const kind = String(info.schema.type ?? '');
  if (kind === 'integer' || kind === 'boolean' || info.schema.anyOf !== undefined) return expected(info.schema);
  return '';
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The environment part of `warden start --help`. */
export function settingsHelp(): string {
  const out = ['', 'Configuration (environment variables; every one Warden reads):'];
  const infos = settingsInfo();
  for (const mode of MODES) {
    out.push('', `${MODE_TITLES[mode]}:`);
    for (const info of infos.filter((i) => i.mode === mode)) {
      const bounds = allowed(info);
      const text = `${info.description}${bounds ? `; ${bounds}` : ''} (default ${info.defaultText})`;
      const [first = '', ...rest] = wrap(text, LINE_WIDTH - NAME_WIDTH);
      const name = `  ${info.name}`;
      if (name.length < NAME_WIDTH) out.push(`${name.padEnd(NAME_WIDTH)}${first}`);
      else out.push(name, `${' '.repeat(NAME_WIDTH)}${first}`);
      for (const line of rest) out.push(`${' '.repeat(NAME_WIDTH)}${line}`);
    }
  }
  return out.join('\n');
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The README's settings table, markers included. */
export function settingsTable(): string {
  const rows = [TABLE_START, '', '| variable | mode | default | what it sets |', '|---|---|---|---|'];
  const infos = settingsInfo();
  for (const mode of MODES) {
    for (const info of infos.filter((i) => i.mode === mode)) {
      const bounds = allowed(info);
      rows.push(`| \`${info.name}\` | ${mode} | ${cell(info.defaultText)} | ${cell(info.description)}${bounds ? ` (${cell(bounds)})` : ''} |`);
    }
  }
  rows.push('', TABLE_END);
  return rows.join('\n');
}

/** `readme` with its settings table replaced by the current one (appended when it has none). */
export function withSettingsTable(readme: string): string {
  const start = readme.indexOf(TABLE_START);
  const end = readme.indexOf(TABLE_END);
  if (start === -1 || end === -1 || end < start) return `${readme.trimEnd()}\n\n${settingsTable()}\n`;
  return readme.slice(0, start) + settingsTable() + readme.slice(end + TABLE_END.length);
}
