import * as v from 'valibot';

// C0 controls but tab (U+0009) and newline (U+000A), DEL, and C1 controls.
const CONTROL = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/u;

/** True when the text has no control character but tab and newline. */
export function hasNoControlCharacters(text: string): boolean {
  return !CONTROL.test(text);
}

/**
 * Text a person typed, as the system stores and sends it: well-formed UTF-16 (a lone surrogate
 * cannot be stored as UTF-8, so PostgreSQL refuses it) and no control characters but tab and
 * newline (NUL cannot be stored either; the others corrupt logs and terminals).
 */
export const PlainTextSchema = v.pipe(
  v.string(),
  v.check((s) => s.isWellFormed(), 'must be well-formed Unicode (it holds a lone surrogate)'),
  v.check(hasNoControlCharacters, 'must not contain control characters (tab and newline are fine)'),
);
