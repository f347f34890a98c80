import { AppError } from '@todo/platform';

/** Reads `If-Match: "3"` (the task version, as the ETag gives it); `*` or absent means no check. */
export function parseIfMatch(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const m = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!m) {
    throw new AppError('invalid_request', 'If-Match must be the ETag of the task, e.g. "3"', {
      errors: [{ path: 'header.if-match', message: 'must be a quoted version number' }],
    });
  }
  return Number(m[1]);
}

export const etag = (version: number): string => `"${version}"`;
