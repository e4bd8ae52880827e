/**
 * Last-resort reader for text the shell parser rejects (truncated quotes, stray operators).
 * It honours quoting and splits on `;`, `&`, `|` and newlines outside quotes, so a command
 * hidden after an unterminated string is still seen, but quoted text is still one data word.
 */
import type { SimpleCommand, Word } from './word.js';

export function fallbackTokenize(text: string): SimpleCommand[] {
  const commands: SimpleCommand[] = [];
  let words: Word[] = [];
  let cur = '';
  let inWord = false;
  let unknown = false;
  let quote: '' | "'" | '"' = '';
  const endWord = (): void => {
    if (inWord) words.push({ text: cur, unknown, unknownRoot: unknown && cur.startsWith('$') });
    cur = '';
    inWord = false;
    unknown = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length > 0) commands.push({ words, writes: [], stdin: [] });
    words = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = '';
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else {
        if (c === '$' && quote === '"') unknown = true;
        cur += c;
      }
      continue;
    }
    if (c === "'" || c === '"') { quote = c; inWord = true; continue; }
    if (c === '\\' && i + 1 < text.length) { cur += text[++i]; inWord = true; continue; }
    if (c === ' ' || c === '\t') { endWord(); continue; }
    if (';&|\n()'.includes(c)) { endCommand(); continue; }
    if (c === '$') unknown = true;
    cur += c;
    inWord = true;
  }
  endCommand();
  return commands;
}
