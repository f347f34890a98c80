import { AppError, isDatabaseUnavailable, type Logger } from '@todo/platform';
import * as v from 'valibot';

/** What a tool answers when it worked: the result as text for the model, and as structured content. */
export function toolResult<T extends object>(summary: string, structured: T) {
  return {
    content: [{ type: 'text' as const, text: `${summary}\n${JSON.stringify(structured)}` }],
    structuredContent: structured,
  };
}

/** A field path of the REST error model (`body.until`, `query.cursor`) as the tool's argument name. */
const argumentName = (path: string) => path.replace(/^(body|query|path)\./, '');

/**
 * A failed tool call as an MCP tool error (`isError: true`): the model reads the code, what is
 * wrong and, per field, what to fix, and can call again. Never a transport failure: the HTTP
 * answer stays 200. An unexpected failure is logged and named by its request id only.
 */
export function toolError(err: unknown, log: Logger, requestId: string) {
  let text: string;
  if (err instanceof AppError) {
    const lines = [`${err.code}: ${err.message}`];
    for (const e of err.errors) lines.push(`- ${argumentName(e.path)}: ${e.message}`);
    if (err.retryAfter !== undefined) lines.push(`Try again in ${Math.ceil(err.retryAfter)} s.`);
    text = lines.join('\n');
  } else if (isDatabaseUnavailable(err)) {
    log.warn({ err }, 'MCP tool failed: the database is unavailable');
    text = 'dependency_unavailable: the task store is unavailable; try again in 5 s';
  } else {
    log.error({ err }, 'MCP tool failed');
    text = `internal: the tool failed (request ${requestId}); try again later`;
  }
  return { content: [{ type: 'text' as const, text }], isError: true };
}

/**
 * Checks a tool's arguments with a REST schema (its cross-field checks: a recurring task needs
 * remind_at, an update changes something, a snooze says how long): a failure is a 422 AppError
 * whose field errors name the arguments.
 */
export function checkedArguments<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input);
  if (parsed.success) return parsed.output;
  const errors = parsed.issues.slice(0, 20).map((i) => ({
    path: v.getDotPath(i) ?? 'arguments',
    message: i.message,
  }));
  throw new AppError('validation_failed', 'the arguments are not valid', { errors });
}
