/**
 * How the operator API, the gate and the hooks read bodies and answer errors, applied by each of
 * those plugins to its own encapsulation context (and by the app's root, for paths no plugin
 * serves). Bodies of any content type are JSON: an empty body is `{}`, one that does not parse is
 * 400 `INVALID_JSON`. Every error is answered `{error: {code, message}}` under the one status its
 * code has (errors.ts), counted in `warden_errors_total{stage="http"}`, logged when 5xx, with
 * `Retry-After` when retrying helps. `answerError` is the part every area shares, the OTLP
 * receiver too (it answers with an OTLP Status instead of this body).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../../../lib/logger.js';
import type { Metrics } from '../../../lib/metrics.js';
import { ApiError } from '../../../lib/errors.js';
import { toHttpError, type HttpErrorView } from '../errors.js';

export interface ErrorDeps {
  logger: Logger;
  metrics: Metrics;
}

/** Counts (and, when 5xx, logs) a failed request, sets its status and Retry-After, and says what the client is told. */
export type AnswerError = (err: unknown, request: FastifyRequest, reply: FastifyReply) => HttpErrorView;

export function errorAnswerer({ logger, metrics }: ErrorDeps): AnswerError {
  return (err, request, reply) => {
    const view = toHttpError(err);
    if (view.statusCode >= 500) logger.error({ err, url: request.url }, 'request failed');
    metrics.errors.inc({ stage: 'http', code: view.code });
    if (view.retryAfterSeconds !== undefined) reply.header('retry-after', String(view.retryAfterSeconds));
    reply.code(view.statusCode);
    return view;
  };
}

/** The answer for a path no route serves. */
export function notFound(_request: FastifyRequest, reply: FastifyReply): void {
  reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'no such route' } });
}

/** Errors in this context are answered `{error: {code, message}}`. */
export function answerErrorsAsJson(instance: FastifyInstance, answerError: AnswerError): void {
  instance.setErrorHandler((err, request, reply) => {
    const view = answerError(err, request, reply);
    return reply.send({ error: { code: view.code, message: view.message } });
  });
}

/** Bodies in this context are JSON whatever their content type; empty is `{}`. */
export function readBodiesAsJson(instance: FastifyInstance): void {
  instance.removeAllContentTypeParsers();
  instance.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => {
    const text = (body as Buffer).toString('utf8');
    if (text.trim() === '') return done(null, {});
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new ApiError('INVALID_JSON', 'request body is not valid JSON'));
    }
  });
}

/** Both: what the operator API and the gate speak. */
export function useApiConventions(instance: FastifyInstance, answerError: AnswerError): void {
  readBodiesAsJson(instance);
  answerErrorsAsJson(instance, answerError);
}
