/**
 * The agents' hooks (`POST /api/v1/hooks/:agent`, routes/hooks.ts) as an encapsulated plugin
 * (`warden-hooks`, after `warden-auth`). A hook payload is read here as JSON when it parses and
 * left as the text itself when it does not: the route answers an unreadable payload in the
 * agent's own format (its fail mode), never with an HTTP error. Other errors (limits, tokens,
 * unknown agent) are answered as the API answers them.
 */
import fp from 'fastify-plugin';
import { registerHookRoutes, type HookRouteOptions } from '../routes/hooks.js';
import { answerErrorsAsJson, type AnswerError } from './api-conventions.js';

export interface HooksPluginOptions {
  hooks: HookRouteOptions;
  answerError: AnswerError;
}

/** JSON when it parses, else the text itself (the route says what is wrong with it). */
function parseOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export const hooksPlugin = fp<HooksPluginOptions>(
  async (app, options) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, parseOrText((body as Buffer).toString('utf8'))));
    answerErrorsAsJson(app, options.answerError);
    registerHookRoutes(app, options.hooks);
  },
  { name: 'warden-hooks', fastify: '5.x', encapsulate: true, dependencies: ['warden-auth'] },
);
