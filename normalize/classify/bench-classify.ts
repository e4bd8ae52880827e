/**
 * Classification throughput for the project benchmark: classifies the labelled corpus
 * `rounds` times with a fresh classifier (cold parse cache on the first pass) and reports
 * commands per second, cold (first pass) and warm (later passes).
 */
import { performance } from 'node:perf_hooks';
import { createClassifier, type ClassifierOptions } from './create-classifier.js';
import { loadCorpus } from './corpus-cases.js';

export interface ClassifyBenchResult {
  cases: number;
  /** Commands per second on the first pass, every parse a cache miss. */
  cold_per_sec: number;
  /** Commands per second on later passes, parses served from the LRU. */
  warm_per_sec: number;
}

export function benchClassify(rounds = 5, options: ClassifierOptions = {}): ClassifyBenchResult {
  const cases = loadCorpus().map((c) => c.input);
  const classifier = createClassifier(options);
  classifier.classify({ tool: 'Bash', command: 'echo warm-up "$X" | cat', arguments: {}, cwd: '/', environment: '' });
  let t = performance.now();
  for (const c of cases) classifier.classify(c);
  const cold = cases.length / ((performance.now() - t) / 1000);
  t = performance.now();
  for (let r = 1; r < Math.max(2, rounds); r++) for (const c of cases) classifier.classify(c);
  const warm = (cases.length * (Math.max(2, rounds) - 1)) / ((performance.now() - t) / 1000);
  return { cases: cases.length, cold_per_sec: Math.round(cold), warm_per_sec: Math.round(warm) };
}
