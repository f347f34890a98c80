import type { MiddlewareHandler, ValidationTargets } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { validator } from 'hono/validator';
import * as v from 'valibot';
import { AppError, type FieldError } from './problem.ts';

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The most field errors an answer lists: an error body stays about as small as its request. */
export const MAX_FIELD_ERRORS = 20;

/**
 * Turns valibot issues into field errors with the path in the request (`body.tags[2]`): the
 * shallowest first (`body.tags: at most 20` before each tag's own), at most MAX_FIELD_ERRORS,
 * then one line saying how many more there were.
 */
export function fieldErrors(where: string, issues: readonly v.BaseIssue<unknown>[]): FieldError[] {
  const all = issues
    .map((issue) => {
      let path = where;
      for (const item of issue.path ?? []) {
        const key = item.key as unknown;
        path +=
          typeof key === 'number'
            ? `[${key}]`
            : `.${String(typeof key === 'string' ? key.slice(0, 64) : key)}`;
      }
      return { path, message: issue.message.slice(0, 300), depth: issue.path?.length ?? 0 };
    })
    .sort((a, b) => a.depth - b.depth);
  const shown = all.slice(0, MAX_FIELD_ERRORS).map(({ path, message }) => ({ path, message }));
  if (all.length > MAX_FIELD_ERRORS)
    shown.push({ path: where, message: `and ${all.length - MAX_FIELD_ERRORS} more errors` });
  return shown;
}

const WHERE: Record<keyof ValidationTargets, string> = {
  json: 'body',
  query: 'query',
  param: 'path',
  header: 'header',
  form: 'form',
  cookie: 'cookie',
};

/**
 * Validates one part of the request with a valibot schema; the handler reads the result with
 * `c.req.valid(target)`. A failure is a 422 `validation_failed` (400 `invalid_request` for path,
 * query and headers) problem listing every
 * failing field with its path. For `json`, a body with another content type is a 415 and a body
 * that is not JSON a 400, before the schema runs.
 *
 * @example app.post('/v1/tasks', valid('json', CreateTaskSchema), (c) => create(c.req.valid('json')))
 */
export function valid<T extends keyof ValidationTargets, S extends v.GenericSchema>(target: T, schema: S) {
  const inner = validator(target, (value) => {
    const parsed = v.safeParse(schema, value);
    if (!parsed.success) {
      const code = target === 'json' || target === 'form' ? 'validation_failed' : 'invalid_request';
      throw new AppError(code, `the request ${WHERE[target]} is not valid`, {
        errors: fieldErrors(WHERE[target], parsed.issues),
      });
    }
    return parsed.output as v.InferOutput<S>;
  });
  if (target !== 'json') return inner;
  const run = inner as unknown as MiddlewareHandler;
  const checkJson: MiddlewareHandler = async function jsonBody(c, next) {
    const type = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!JSON_TYPE.test(type)) {
      throw new AppError('unsupported_media_type', 'send the body as application/json', {
        errors: [
          { path: 'header.content-type', message: `expected application/json, got ${type || 'nothing'}` },
        ],
      });
    }
    try {
      return await run(c, next);
    } catch (err) {
      if (err instanceof HTTPException && err.status === 400) {
        throw new AppError('malformed_json', 'the body is not valid JSON');
      }
      throw err;
    }
  };
  return checkJson as unknown as typeof inner;
}
