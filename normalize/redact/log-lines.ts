/**
 * The line redactor the assembly gives every logger: each finished log line goes through the
 * same secret detectors as events, so a secret interpolated into a message is written as its
 * marker.
 */
import type { LineRedactor } from '../../lib/logger.js';
import { createRedactor } from './redactor.js';

export function logLineRedactor(): LineRedactor {
  const redactor = createRedactor();
  return (line) => redactor.redact(line).text;
}
