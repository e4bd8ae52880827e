/**
 * Runs testdata/scenarios.yaml: every `fires:` case must produce a finding of at least its
 * severity, every `silent:` case none.
 */
import { fileURLToPath } from 'node:url';
import { scenarioSuite } from '../common/scenario-suite.js';
import { intentMismatchFactory } from './index.js';

scenarioSuite(intentMismatchFactory, fileURLToPath(new URL('./testdata/scenarios.yaml', import.meta.url)));
