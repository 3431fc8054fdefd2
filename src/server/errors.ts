// One error handler for the whole HTTP API: every error leaves as {"error": {"code", "message", "details"}},
// 4xx say what to fix, and a 5xx never shows internals (they go to the log with the request id).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { LifelineError } from '../errors.js';

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** `body.tags.0` for instancePath `/tags/0`; plain `body` for the body as a whole (instancePath `` or `/`). */
function pathOf(part: string, instancePath: string | undefined): string {
  const path = (instancePath ?? '').replace(/^\//, '').replace(/\//g, '.');
  return path ? `${part}.${path}` : part;
}

function describeIssues(issues: { instancePath?: string; message?: string }[], part: string): string {
  return issues.map((issue) => `${pathOf(part, issue.instancePath)}: ${issue.message ?? 'is invalid'}`).join('; ');
}

/**
 * For Fastify's `frameworkErrors` option: the router's own refusals (a bad %-escape, a path segment over 100
 * characters) never reach the error handler, so without this they leave in Fastify's shape, not ours.
 */
/** Fastify's refusals of a body, in words that say what to send instead. */
const FRAMEWORK_ERRORS: Record<string, (contentType: string | undefined) => { code: string; message: string }> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: (type) => ({
    code: 'unsupported_media_type',
    message: `This endpoint does not take ${type ? `"${type}"` : 'a body without a Content-Type'}: send JSON with Content-Type: application/json.`,
  }),
  FST_ERR_CTP_EMPTY_JSON_BODY: () => ({ code: 'invalid_json', message: 'The body is empty although Content-Type says JSON: send a JSON object such as {}, or no Content-Type.' }),
  FST_ERR_CTP_BODY_TOO_LARGE: () => ({ code: 'body_too_large', message: 'The body is larger than this endpoint takes: send less at once, or split it.' }),
};

export function routerErrorHandler(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  reply.code(tooLong ? 414 : 400).send({
    error: {
      code: 'invalid_url',
      message: tooLong ? 'A part of the URL is longer than 100 characters: check the id in the path.' : 'The URL is not valid: check its %-escapes.',
    },
  } satisfies ErrorBody);
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const part = error.validationContext ?? 'request';
      return reply.code(400).send({
        error: {
          code: 'invalid_request',
          message: `The request is not valid: ${describeIssues(error.validation, part)}.`,
          details: error.validation.map((i) => ({ path: pathOf(part, i.instancePath), message: i.message })),
        },
      } satisfies ErrorBody);
    }
    if (error instanceof LifelineError) {
      return reply.code(error.status).send({ error: { code: error.code, message: error.message, details: error.details } });
    }
    if (isUniqueViolation(error)) {
      return reply.code(409).send({
        error: { code: 'conflict', message: 'Another request changed the same record at the same time: reload and try again.' },
      });
    }
    const status = error.statusCode ?? 500;
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || (status === 400 && error instanceof SyntaxError)) {
      return reply.code(400).send({ error: { code: 'invalid_json', message: `The body is not valid JSON: ${error.message}. Fix its syntax.` } });
    }
    if (status >= 400 && status < 500) {
      const known = error.code ? FRAMEWORK_ERRORS[error.code]?.(request.headers['content-type']) : undefined;
      if (known) return reply.code(status).send({ error: known });
      return reply.code(status).send({
        // @fastify/rate-limit's refusal carries no code of its own; Fastify's own codes (FST_…) mean nothing to a caller.
        error: { code: error.code && !error.code.startsWith('FST_') ? error.code.toLowerCase() : status === 429 ? 'rate_limited' : 'bad_request', message: error.message },
      });
    }
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({
      error: {
        code: 'internal_error',
        message: `Something went wrong on our side and it has been logged (reference ${request.id}). Try again; if it keeps happening, report the reference.`,
      },
    });
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: { code: 'route_not_found', message: `There is no ${request.method} ${request.url.split('?')[0]}: see /api/docs for the API.` },
    });
  });
}
