/**
 * Words and similarity. Commands are compared as token sets (Jaccard), after whitespace and
 * quoting are normalized, so `rm -rf  build` and `rm -rf "build"` are the same command. Goals
 * and target segments are split into lower-case words for the lexicons.
 */

/** Collapses whitespace; the form two commands are compared in. */
export function normalizeCommand(command: string): string {
  return command.replace(/\s+/g, ' ').trim();
}

/** Shell-ish tokens: whitespace-separated, outer quotes dropped. */
export function commandTokens(command: string): string[] {
  return normalizeCommand(command)
    .split(' ')
    .map((t) => t.replace(/^['"]|['"]$/g, ''))
    .filter((t) => t !== '');
}

/** |A ∩ B| / |A ∪ B|; 1 when both are empty. */
export function jaccard(a: readonly string[], b: readonly string[]): number {
  const sa = new Set(a);
  const sb = new Set(b);
  if (sa.size === 0 && sb.size === 0) return 1;
  let both = 0;
  for (const t of sa) if (sb.has(t)) both++;
  return both / (sa.size + sb.size - both);
}

/** Lower-case alphanumeric words (`prod-eu` → `prod`, `eu`). */
export function words(text: string): string[] {
  return text.toLowerCase().split(/[^a-z0-9]+/).filter((w) => w !== '');
}

/** Shortens text for titles and explanations. */
export function clip(text: string, max = 80): string {
  const t = normalizeCommand(text);
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}
