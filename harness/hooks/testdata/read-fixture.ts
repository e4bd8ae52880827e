/**
 * Test helper: one recorded hook payload of an agent (`<agent>/<name>.json`, beside its
 * `<name>.source.txt` citation), parsed.
 */
import { readFileSync } from 'node:fs';

export function fixture(agent: string, name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`./${agent}/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
}
