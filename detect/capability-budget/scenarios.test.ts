/**
 * Runs every scenario of testdata/scenarios.yaml through the real classifier and this detector
 * under a fake clock: each `fires` scenario must produce a finding (of at least its
 * `min_severity`), each `silent` one none.
 */
import { fileURLToPath } from 'node:url';
import { scenarioSuite } from '../common/scenario-suite.js';
import { capabilityBudgetFactory } from './index.js';

scenarioSuite(capabilityBudgetFactory, fileURLToPath(new URL('./testdata/scenarios.yaml', import.meta.url)), 4);
