import { describe, expect, it } from 'vitest';
import { deterministicId, isUuidV7, uuidv7 } from './ids.ts';

describe('uuidv7', () => {
  it('makes version-7 ids that sort by creation, even within one millisecond', () => {
    const ids = Array.from({ length: 2000 }, () => uuidv7());
    expect(ids.every(isUuidV7)).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('draws fresh randomness for every id across pool refills (same millisecond, random tails all differ)', () => {
    const at = Date.parse('2026-12-05T09:00:00Z');
    // 1,000 ids in one millisecond span several 4 KiB draws; their random 62 bits never repeat.
    const tails = Array.from({ length: 1000 }, () => uuidv7(at).slice(19));
    expect(new Set(tails).size).toBe(tails.length);
  });

  it('carries the time in its first 48 bits', () => {
    const id = uuidv7(Date.UTC(2030, 0, 1));
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(Date.UTC(2030, 0, 1));
  });
});

describe('deterministicId', () => {
  it('gives the same UUID for the same parts and a different one otherwise', () => {
    const a = deterministicId('reminder', 't1', '2026-12-01T09:00:00.000Z');
    expect(deterministicId('reminder', 't1', '2026-12-01T09:00:00.000Z')).toBe(a);
    expect(deterministicId('reminder', 't1', '2026-12-02T09:00:00.000Z')).not.toBe(a);
    expect(deterministicId('reminder', 't1', '2026-12-01T09:00:00.000Z', '')).not.toBe(a);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
