/**
 * One regular expression that matches any of a set of literal words, factored by common prefixes
 * (`ab(?:c|d)` rather than `abc|abd`): the regex engine then follows one branch per character
 * instead of trying every word at every position, which keeps a gate of hundreds of literals cheap.
 */
interface TrieNode {
  end: boolean;
  next: Map<string, TrieNode>;
}

/** One expression matching any of `words`, factored by common prefixes (much faster than a flat alternation). */
export function trieExpression(words: readonly string[], flags = ''): RegExp {
  const root: TrieNode = { end: false, next: new Map() };
  for (const word of words) {
    let node = root;
    for (const ch of word) {
      let child = node.next.get(ch);
      if (child === undefined) node.next.set(ch, (child = { end: false, next: new Map() }));
      node = child;
    }
    node.end = true;
  }
  const source = (node: TrieNode): string => {
    if (node.end) return ''; // a shorter word already matches: longer ones add nothing
    const branches = [...node.next].map(([ch, child]) => ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&') + source(child));
    return branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
  };
  return words.length === 0 ? /(?!)/ : new RegExp(source(root), flags);
}

