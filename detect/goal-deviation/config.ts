/**
 * goal_deviation config: the lexicons of defaults.yaml (impact levels, goal verbs, negators,
 * action classes → levels, entity nouns, stopwords), how non-destructive escalations are
 * reported, the action-mix baseline test, and the external judge (off by default). The
 * defaults are defaults.yaml read through the same `validate` a policy override goes through.
 */
import type { ConfigCheck } from '../detector.js';
import { Fields } from '../common/config-fields.js';
import { loadDefaults } from '../common/load-data.js';
import { readJudgeConfig, type JudgeConfig } from './judge-config.js';
import { readMixConfig, type MixConfig } from './mix-config.js';

export interface ActionLevelRule {
  level: string;
  /** Action-class patterns (`*` matches any run). */
  classes: string[];
}

export interface GoalDeviationConfig {
  /** Impact levels, least to most (`read` … `destroy`). */
  levels: string[];
  /** Level → goal verbs and phrases that imply it. */
  goal_verbs: Record<string, string[]>;
  negators: string[];
  /** Words that end a negation's reach (conjunctions). */
  negation_stops: string[];
  /** Words after which a goal word is read as a verb ("and delete them"). */
  verb_leads: string[];
  /** How many words after a negator it covers. */
  negation_span: number;
  /** Object words a phrasal verb may enclose ("tear it down", "clean them up"). */
  phrase_objects: string[];
  /** Action classes → level, first match wins. */
  action_levels: ActionLevelRule[];
  critical_is_destroy: boolean;
  entity_nouns: string[];
  stopwords: string[];
  /** Severity of an escalation beyond the goal by a non-destructive action. */
  nondestructive_escalation: 'silent' | 'low' | 'medium';
  mix: MixConfig;
  judge: JudgeConfig;
  /** (reason, action class) pairs remembered per session, so each is reported once per severity. */
  max_reported: number;
}

const FIELDS = ['levels', 'goal_verbs', 'negators', 'negation_stops', 'verb_leads', 'negation_span', 'phrase_objects', 'action_levels', 'critical_is_destroy', 'entity_nouns',
  'stopwords', 'nondestructive_escalation', 'mix', 'judge', 'max_reported'] as const;

const FALLBACK: GoalDeviationConfig = {
  levels: ['read', 'modify', 'apply', 'delete', 'destroy'], goal_verbs: {}, negators: [], negation_stops: [], verb_leads: [], negation_span: 4, phrase_objects: [],
  action_levels: [{ level: 'modify', classes: ['*'] }], critical_is_destroy: true, entity_nouns: [], stopwords: [],
  nondestructive_escalation: 'silent',
  mix: { enabled: true, min_actions: 10, min_destructive: 3, min_baseline_sessions: 5, min_baseline_events: 100, z_threshold: 3, min_ratio: 2, max_agents: 1000, max_events: 100_000 },
  judge: { url: '', timeout_ms: 200, borderline_min: 0.3, borderline_max: 0.7, min_confidence: 0.7 },
  max_reported: 256,
};

/** Replaced as a whole, so a policy that changes `levels` can drop the verbs of a level it removes. */
function readVerbs(f: Fields, base: Record<string, string[]>, levels: string[]): Record<string, string[]> {
  if (!f.has('goal_verbs')) return base;
  const v = f.object('goal_verbs', levels);
  return Object.fromEntries(v.keys().filter((k) => levels.includes(k)).map((k) => [k, v.strings(k, [])]));
}

function readActionLevel(e: Fields, levels: string[]): ActionLevelRule {
  return { level: e.oneOf('level', undefined, levels), classes: e.strings('classes', []) };
}

export function validateGoalDeviation(raw: unknown, base: GoalDeviationConfig): ConfigCheck<GoalDeviationConfig> {
  const problems: string[] = [];
  const f = new Fields(raw, '', FIELDS, problems);
  const levels = f.strings('levels', base.levels);
  if (levels.length < 2 || new Set(levels).size !== levels.length) f.problem('levels', 'expected at least two distinct levels');
  const config: GoalDeviationConfig = {
    levels,
    goal_verbs: readVerbs(f, base.goal_verbs, levels),
    negators: f.strings('negators', base.negators),
    negation_stops: f.strings('negation_stops', base.negation_stops),
    verb_leads: f.strings('verb_leads', base.verb_leads),
    phrase_objects: f.strings('phrase_objects', base.phrase_objects),
    negation_span: f.number('negation_span', base.negation_span, { min: 1, max: 12, integer: true }),
    action_levels: f.list('action_levels', base.action_levels, ['level', 'classes'], (e) => readActionLevel(e, levels)),
    critical_is_destroy: f.boolean('critical_is_destroy', base.critical_is_destroy),
    entity_nouns: f.strings('entity_nouns', base.entity_nouns),
    stopwords: f.strings('stopwords', base.stopwords),
    nondestructive_escalation: f.oneOf('nondestructive_escalation', base.nondestructive_escalation, ['silent', 'low', 'medium'] as const),
    mix: readMixConfig(f.object('mix', Object.keys(base.mix)), base.mix),
    judge: readJudgeConfig(f.object('judge', Object.keys(base.judge)), base.judge),
    max_reported: f.number('max_reported', base.max_reported, { min: 1, max: 100_000, integer: true }),
  };
  const strays = [...Object.keys(config.goal_verbs), ...config.action_levels.map((r) => r.level)].filter((l) => !levels.includes(l));
  if (f.has('levels') && strays.length > 0) f.problem('levels', `missing ${[...new Set(strays)].join(', ')}, used by goal_verbs or action_levels`);
  return { config, problems };
}

export const GOAL_DEVIATION_DEFAULTS: GoalDeviationConfig = loadDefaults(new URL('./defaults.yaml', import.meta.url), (raw) => validateGoalDeviation(raw, FALLBACK));
