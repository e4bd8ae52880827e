/**
 * goal_deviation: actions that no longer serve the session's goal — impact beyond what the goal
 * implies, environments or entities the goal does not name, an action mix far from the agent's
 * baseline — plus an optional external judge for second opinions. See README.md.
 */
import type { DetectorFactory } from '../detector.js';
import { GOAL_DEVIATION_DEFAULTS, validateGoalDeviation, type GoalDeviationConfig } from './config.js';
import { createGoalDeviationDetector } from './detector.js';

export type { GoalDeviationConfig } from './config.js';
export type { JudgeConfig } from './judge-config.js';
export type { MixConfig } from './mix-config.js';
export { GOAL_DEVIATION_DEFAULTS, validateGoalDeviation } from './config.js';
export { createGoalDeviationDetector } from './detector.js';
export { readGoal, type GoalModel } from './goal-model.js';
export {
  createJudgeClient, isBorderline, judgeRequestFor, JUDGE_BAD_RESPONSE, JUDGE_DISABLED, JUDGE_REJECTED, JUDGE_UNAVAILABLE,
  type JudgeClient, type JudgeClientOptions, type JudgeRequest, type JudgeVerdict,
} from './judge-client.js';

export const goalDeviationFactory: DetectorFactory<GoalDeviationConfig> = {
  name: 'goal_deviation',
  defaults: GOAL_DEVIATION_DEFAULTS,
  validate: validateGoalDeviation,
  create: createGoalDeviationDetector,
};
