import * as v from 'valibot';

/** True when the text has no control character (C0, DEL, C1) but tab and newline. */
export function hasNoControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
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
