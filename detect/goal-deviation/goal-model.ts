/**
 * What a goal says, read with the lexicon: the highest impact level its verbs imply (and the
 * verb that implies it), levels and environments it forbids ("without deleting anything",
 * "don't touch prod"), the environments it names, and the entities it names (identifiers like
 * `payments-api` or `i-0abc`, quoted names, and words next to an entity noun: "the orders
 * table"). No model weights: words, a lexicon, and their order.
 */
import { environmentsIn } from '../common/environments.js';
import { words } from '../common/tokens.js';
import type { GoalDeviationConfig } from './config.js';

export interface GoalModel {
  text: string;
  /** Index into `config.levels`, or -1 when no verb was recognised. */
  implied: number;
  impliedBy: string;
  /** Level index → the negated verb that forbids it. */
  forbidden: Map<number, string>;
  environments: Set<string>;
  forbiddenEnvironments: Set<string>;
  entities: string[];
  /** Entities named as what to delete ("clean up the `tmp-cache` bucket"): a cleanup's bounds. */
  deleteEntities: string[];
}

interface Phrase {
  words: string[];
  level: number;
  text: string;
}

interface Lexicon {
  phrases: Phrase[];
  negators: Set<string>;
  /** Words that end a negation: "no tags and terminate them" negates only "tags". */
  stops: Set<string>;
  /** Words after which a lexicon word is a verb even when it is not the clause's first. */
  leads: Set<string>;
  nouns: Set<string>;
  stop: Set<string>;
  verbs: Set<string>;
  /** Words a phrasal verb may enclose: "tear it down". */
  objects: Set<string>;
}

const lexicons = new WeakMap<GoalDeviationConfig, Lexicon>();

function lexicon(config: GoalDeviationConfig): Lexicon {
  let lx = lexicons.get(config);
  if (lx === undefined) {
    const phrases = config.levels.flatMap((level, i) => (config.goal_verbs[level] ?? []).map((text) => ({ words: words(text), level: i, text })));
    phrases.sort((a, b) => b.words.length - a.words.length);
    lx = {
      phrases,
      negators: new Set(config.negators.flatMap(words)),
      stops: new Set(config.negation_stops.flatMap(words)),
      leads: new Set(config.verb_leads.flatMap(words)),
      nouns: new Set(config.entity_nouns),
      stop: new Set(config.stopwords),
      verbs: new Set(phrases.flatMap((p) => p.words)),
      objects: new Set(config.phrase_objects.flatMap(words)),
    };
    lexicons.set(config, lx);
  }
  return lx;
}

/** `delete` matches delete, deletes, deleted, deleting; `drop` also dropped, dropping. */
export function inflects(token: string, verb: string): boolean {
  if (token === verb) return true;
  if (!token.startsWith(verb.slice(0, -1))) return false;
  const forms = [`${verb}s`, `${verb}es`, `${verb}ed`, `${verb}d`, `${verb}ing`, `${verb}${verb.at(-1)}ed`, `${verb}${verb.at(-1)}ing`];
  if (verb.endsWith('e')) forms.push(`${verb.slice(0, -1)}ing`);
  if (verb.endsWith('y')) forms.push(`${verb.slice(0, -1)}ies`, `${verb.slice(0, -1)}ied`);
  return forms.includes(token);
}

/** Words the phrase spans at `i` (0: no match); one object word may follow its first word ("tear it down"). */
function phraseAt(ws: string[], i: number, p: Phrase, lx: Lexicon): number {
  if (i + p.words.length > ws.length || !inflects(ws[i]!, p.words[0]!)) return 0;
  if (p.words.every((w, j) => j === 0 || ws[i + j] === w)) return p.words.length;
  const enclosed = p.words.length > 1 && lx.objects.has(ws[i + 1] ?? '') && p.words.every((w, j) => j === 0 || ws[i + j + 1] === w);
  return enclosed ? p.words.length + 1 : 0;
}

function isEnvWord(token: string): boolean {
  const ws = words(token);
  return ws.length > 0 && environmentsIn(ws, false).size > 0 && ws.every((w) => environmentsIn([w], false).size > 0);
}

function extractEntities(text: string, lx: Lexicon): string[] {
  const found = new Set<string>();
  for (const m of text.matchAll(/`([^`]+)`|"([^"]+)"|'([^'\s]+)'/g)) found.add((m[1] ?? m[2] ?? m[3]!).toLowerCase().trim());
  const rich = text.toLowerCase().split(/\s+/).map((t) => t.replace(/^[^a-z0-9~/.]+|[^a-z0-9*]+$/g, '')).filter((t) => t !== '');
  rich.forEach((t, i) => {
    const idLike = /[a-z]/.test(t) && (/[-_/.:]/.test(t.slice(1)) || (/\d/.test(t) && t.length >= 3));
    if (idLike && !isEnvWord(t)) found.add(t);
    if (!lx.nouns.has(t)) return;
    for (const n of [rich[i - 1], rich[i + 1]]) {
      if (n === undefined || n.length < 2 || lx.stop.has(n) || lx.nouns.has(n) || lx.verbs.has(n) || lx.negators.has(n) || isEnvWord(n)) continue;
      found.add(n);
    }
  });
  return [...found].filter((e) => e.length >= 2 && !lx.stop.has(e)).slice(0, 16);
}

/** Marks the words a negator covers: up to `negation_span` words, stopping at a conjunction. */
function negatedWords(ws: string[], lx: Lexicon, span: number, model: GoalModel): boolean[] {
  const negated = new Array<boolean>(ws.length).fill(false);
  ws.forEach((w, i) => {
    if (!lx.negators.has(w)) return;
    let end = i + 1;
    while (end < ws.length && end <= i + span && !lx.stops.has(ws[end]!)) negated[end++] = true;
    for (const env of environmentsIn(ws.slice(i + 1, end), true)) model.forbiddenEnvironments.add(env);
  });
  return negated;
}

interface VerbHit {
  at: number;
  phrase: Phrase;
  /** Words matched (the phrase, and an enclosed object). */
  span: number;
  counts: boolean;
}

/** Finds the goal verbs of one clause, applying negation and the first-verb rule to the model. */
function clauseVerbs(ws: string[], lx: Lexicon, config: GoalDeviationConfig, model: GoalModel): VerbHit[] {
  const negated = negatedWords(ws, lx, config.negation_span, model);
  const hits: VerbHit[] = [];
  for (let i = 0; i < ws.length; i++) {
    let span = 0;
    const p = lx.phrases.find((ph) => (span = phraseAt(ws, i, ph, lx)) > 0);
    if (p === undefined) continue;
    // A clause's first verb is its verb; later ones only after a lead word ("… and delete
    // them"), so nouns ("the failing deploy", "the cleanup job") imply nothing.
    const isVerb = hits.length === 0 || (i > 0 && lx.leads.has(ws[i - 1]!));
    if (negated[i]) {
      if (!model.forbidden.has(p.level)) model.forbidden.set(p.level, p.text);
    } else if (isVerb && p.level > model.implied) {
      model.implied = p.level;
      model.impliedBy = p.text;
    }
    hits.push({ at: i, phrase: p, span, counts: isVerb && !negated[i] });
    i += span - 1;
  }
  return hits;
}

/** Entities in the words a delete-level verb governs (up to the next verb): what to delete. */
function deleteObjects(clause: string, hits: VerbHit[], lx: Lexicon, deleteLevel: number): string[] {
  const rich = clause.split(/\s+/).filter((t) => t !== '');
  const owner = rich.flatMap((t, r) => words(t).map(() => r));
  const out: string[] = [];
  hits.forEach((h, k) => {
    if (!h.counts || h.phrase.level < deleteLevel) return;
    const from = (owner[h.at + h.span - 1] ?? rich.length) + 1;
    const next = hits[k + 1];
    const to = next === undefined ? rich.length : owner[next.at] ?? rich.length;
    out.push(...extractEntities(rich.slice(from, to).join(' '), lx));
  });
  return out;
}

export function readGoal(text: string, config: GoalDeviationConfig): GoalModel {
  const lx = lexicon(config);
  const model: GoalModel = {
    text, implied: -1, impliedBy: '', forbidden: new Map(), environments: new Set(), forbiddenEnvironments: new Set(),
    entities: extractEntities(text, lx), deleteEntities: [],
  };
  const named = new Set<string>();
  const deleteLevel = config.levels.length - 2;
  // Clauses end at punctuation (a dash too), so "do not touch prod, then deploy" negates only
  // the first part and "… after I moved it — clean the caches" reads "clean" as a verb.
  for (const clause of text.replace(/n['’]t\b/gi, ' not').split(/[,;!?\n—–]+|[.:](?=\s|$)|\s-{1,2}\s/)) {
    const ws = words(clause);
    const hits = clauseVerbs(ws, lx, config, model);
    model.deleteEntities.push(...deleteObjects(clause, hits, lx, deleteLevel));
    for (const env of environmentsIn(ws, true)) named.add(env);
  }
  for (const env of named) if (!model.forbiddenEnvironments.has(env)) model.environments.add(env);
  model.deleteEntities = [...new Set(model.deleteEntities)];
  return model;
}
