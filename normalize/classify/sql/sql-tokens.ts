/**
 * A small SQL lexer: words, punctuation and string/comment skipping (`'…'`, `"…"`, backticks,
 * `$tag$…$tag$`, `--`, `#`, `/* … *\/`). Used to split scripts into statements and to classify
 * a statement when no SQL dialect parses it. Quoted text never becomes a keyword.
 */

export interface SqlToken {
  /** Upper-cased word, identifier text, or a punctuation character. */
  value: string;
  kind: 'word' | 'quoted' | 'punct';
  /** Parenthesis depth the token sits at. */
  depth: number;
}

export interface SqlScan {
  tokens: SqlToken[];
  /** Statement texts split on top-level `;`. */
  statements: string[];
}

export function scanSql(sql: string): SqlScan {
  const tokens: SqlToken[] = [];
  const statements: string[] = [];
  let depth = 0;
  let stmtStart = 0;
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') { while (i < n && sql[i] !== '\n') i++; continue; }
    if (c === '#') { while (i < n && sql[i] !== '\n') i++; continue; }
    if (c === '/' && sql[i + 1] === '*') { const e = sql.indexOf('*/', i + 2); i = e < 0 ? n : e + 2; continue; }
    if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < n) {
        if (sql[j] === '\\' && c === "'") { j += 2; continue; }
        if (sql[j] === c) { if (sql[j + 1] === c) { j += 2; continue; } break; }
        j++;
      }
      tokens.push({ value: sql.slice(i + 1, j), kind: 'quoted', depth });
      i = j + 1;
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_]*)\$/.exec(sql.slice(i));
      if (m) {
        const e = sql.indexOf(m[0], i + m[0].length);
        i = e < 0 ? n : e + m[0].length;
        tokens.push({ value: '', kind: 'quoted', depth });
        continue;
      }
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_$.]/.test(sql[j]!)) j++;
      tokens.push({ value: sql.slice(i, j).toUpperCase(), kind: 'word', depth });
      i = j;
      continue;
    }
    if (c === ';' && depth === 0) {
      const text = sql.slice(stmtStart, i).trim();
      if (text) statements.push(text);
      tokens.push({ value: ';', kind: 'punct', depth });
      stmtStart = i + 1;
      i++;
      continue;
    }
    if (c === '(') depth++;
    if (c === ')') depth = Math.max(0, depth - 1);
    if (!/\s/.test(c)) tokens.push({ value: c, kind: 'punct', depth });
    i++;
  }
  const tail = sql.slice(stmtStart).trim();
  if (tail) statements.push(tail);
  return { tokens, statements };
}
