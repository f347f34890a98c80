import { AppError } from '@todo/platform';
import * as v from 'valibot';

/**
 * What a chat command asks for, checked with the same schema the REST route uses: the chat is
 * one more way in, not a way around validation. A message whose command would make a bad task
 * (a 600-character title, a date in the year 12026, a snooze of 10^12 hours) is a 422 naming
 * `body.message` and what is wrong, and writes nothing.
 */
export function checkedInput<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input);
  if (parsed.success) return parsed.output;
  const errors = parsed.issues.slice(0, 5).map((i) => {
    const field = v.getDotPath(i);
    return { path: 'body.message', message: field ? `${field} ${i.message}` : i.message };
  });
  throw new AppError(
    'validation_failed',
    `the message asks for something the API refuses: ${errors[0]?.message ?? 'invalid'}`,
    {
      errors,
    },
  );
}

/** Runs the parser; a date or number it cannot represent (chrono's year 12026) is a 422 too. */
export function parsedSafely<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    if (err instanceof RangeError) {
      throw new AppError('validation_failed', 'the message names a date or amount out of range', {
        errors: [{ path: 'body.message', message: 'names a date or amount out of range' }],
      });
    }
    throw err;
  }
}
